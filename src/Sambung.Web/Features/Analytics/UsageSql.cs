using Marten;
using Npgsql;
using NpgsqlTypes;
using Sambung.Projections.Usage;

namespace Sambung.Web.Features.Analytics;

// What the usage queries that sum in SQL share: the price book's periods as a table `p(model, f, u, i, o)` (joined
// by model and day, so each row is priced with the price in effect on its day, exactly as PriceBook.PriceOn does).
// The periods go in as arrays from parameter `first` on (five parameters).
public static class UsageSql
{
    public static string Prices(int first) =>
        $"p(model, f, u, i, o) as (select * from unnest(${first}::text[], ${first + 1}::date[], ${first + 2}::date[], ${first + 3}::numeric[], ${first + 4}::numeric[]))";

    // The cost of a row's tokens at the joined price (0 when the model has no price on that day).
    public const string Cost = "coalesce(sum((d.input_tokens::numeric * p.i + d.output_tokens::numeric * p.o) / 1000000), 0)";

    // The requests of rows that had no price on their day.
    public const string Unpriced = "coalesce(sum(d.requests) filter (where p.model is null), 0)";

    public static void AddPrices(NpgsqlCommand command, PriceBook prices)
    {
        var periods = prices.Periods.ToList();
        command.Parameters.Add(new NpgsqlParameter { Value = periods.Select(p => p.Model).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = periods.Select(p => p.From).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Date });
        command.Parameters.Add(new NpgsqlParameter { Value = periods.Select(p => p.Until).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Date });
        command.Parameters.Add(new NpgsqlParameter { Value = periods.Select(p => p.Price.Input).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Numeric });
        command.Parameters.Add(new NpgsqlParameter { Value = periods.Select(p => p.Price.Output).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Numeric });
    }
}

// By user (the instance dashboard): every owner's UsageDay rows of a range summed in SQL from the columns the day
// index carries, so 1,000 users' month is one index scan and one row per user, not 15,000 documents.
public static class UsageUserQuery
{
    public static async Task<IReadOnlyList<(string OwnerId, UsageTotals Totals)>> LoadAsync(NpgsqlDataSource db, IQuerySession session,
        UsageRange range, PriceBook prices, CancellationToken ct)
    {
        var table = session.DocumentStore.Options.Schema.For<UsageDay>();
        await using var command = db.CreateCommand($"""
            with {UsageSql.Prices(3)}
            select d.owner_id, sum(d.requests), sum(d.completed), sum(d.failed), sum(d.stopped),
                   sum(d.input_tokens), sum(d.output_tokens), {UsageSql.Cost}, {UsageSql.Unpriced},
                   sum(d.time_to_first_token_count), coalesce(sum(d.time_to_first_token_total_ms), 0)
            from {table} d
            left join p on p.model = d.model and d.day >= p.f and d.day < p.u
            where d.day >= $1 and d.day <= $2
            group by d.owner_id
            """);
        command.Parameters.AddWithValue(range.From);
        command.Parameters.AddWithValue(range.To);
        UsageSql.AddPrices(command, prices);

        var sums = new List<(string, UsageTotals)>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            sums.Add((reader.GetString(0), new UsageTotals(
                (int)reader.GetInt64(1), (int)reader.GetInt64(2), (int)reader.GetInt64(3), (int)reader.GetInt64(4),
                reader.GetInt64(5), reader.GetInt64(6), reader.GetDecimal(7), (int)reader.GetInt64(8),
                (int)reader.GetInt64(9), reader.GetDouble(10))));
        return sums;
    }
}
