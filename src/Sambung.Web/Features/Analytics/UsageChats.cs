using Marten;
using Npgsql;
using NpgsqlTypes;
using Sambung.Projections;
using Sambung.Projections.Conversations;

namespace Sambung.Web.Features.Analytics;

// One chat's usage over the period. Title null: the chat is in Trash or purged ("deleted chat" on the page).
public sealed record UsageChatRow(Guid ConversationId, string? Title, bool Deleted, int Requests, int Failed,
    long InputTokens, long OutputTokens, decimal Cost, int UnpricedRequests);

// Every chat with usage in the period, most expensive first; the page shows the first Shown of them.
public sealed record UsageChats(IReadOnlyList<UsageChatRow> Rows)
{
    public const int Shown = 20;
}

// By chat: one owner's UsageChatDay rows of a range summed in SQL, each row priced with the price in effect on its
// day (the price book's periods go in as arrays and are joined by model and day), so the page reads one row per
// chat, not one per chat, day and model.
public static class UsageChatQuery
{
    public static async Task<UsageChats> LoadAsync(NpgsqlDataSource db, IQuerySession session, string ownerId, UsageRange range,
        PriceBook prices, CancellationToken ct)
    {
        var periods = prices.Periods.ToList();
        await using var command = db.CreateCommand($"""
            with p(model, f, u, i, o) as (select * from unnest($4::text[], $5::date[], $6::date[], $7::numeric[], $8::numeric[]))
            select d.conversation_id,
                   sum((d.data->>'Requests')::int), sum((d.data->>'Failed')::int),
                   sum((d.data->>'InputTokens')::bigint), sum((d.data->>'OutputTokens')::bigint),
                   coalesce(sum(((d.data->>'InputTokens')::numeric * p.i + (d.data->>'OutputTokens')::numeric * p.o) / 1000000), 0),
                   coalesce(sum((d.data->>'Requests')::int) filter (where p.model is null), 0)
            from {SambungStore.Schema}.mt_doc_usagechatday d
            left join p on p.model = d.model and d.day >= p.f and d.day < p.u
            where d.owner_id = $1 and d.day >= $2 and d.day <= $3
            group by d.conversation_id
            """);
        command.Parameters.AddWithValue(ownerId);
        command.Parameters.AddWithValue(range.From);
        command.Parameters.AddWithValue(range.To);
        command.Parameters.Add(new NpgsqlParameter { Value = periods.Select(p => p.Model).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = periods.Select(p => p.From).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Date });
        command.Parameters.Add(new NpgsqlParameter { Value = periods.Select(p => p.Until).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Date });
        command.Parameters.Add(new NpgsqlParameter { Value = periods.Select(p => p.Price.Input).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Numeric });
        command.Parameters.Add(new NpgsqlParameter { Value = periods.Select(p => p.Price.Output).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Numeric });

        var sums = new List<(Guid Id, int Requests, int Failed, long Input, long Output, decimal Cost, int Unpriced)>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
                sums.Add((reader.GetGuid(0), (int)reader.GetInt64(1), (int)reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4),
                    reader.GetDecimal(5), (int)reader.GetInt64(6)));

        var ordered = sums.OrderByDescending(s => s.Cost).ThenByDescending(s => s.Input + s.Output).ThenBy(s => s.Id).ToList();
        // Titles from the chat list, this owner's only; a chat in Trash or purged is shown as deleted.
        var ids = ordered.Select(s => s.Id).ToArray();
        var items = (await session.Query<ChatListItem>().Where(c => c.OwnerId == ownerId && ids.Contains(c.Id)).ToListAsync(ct))
            .ToDictionary(c => c.Id);
        return new UsageChats(ordered.Select(s =>
        {
            var item = items.GetValueOrDefault(s.Id);
            var live = item is { InTrash: false };
            return new UsageChatRow(s.Id, live ? item!.Title : null, !live, s.Requests, s.Failed, s.Input, s.Output, s.Cost, s.Unpriced);
        }).ToList());
    }
}
