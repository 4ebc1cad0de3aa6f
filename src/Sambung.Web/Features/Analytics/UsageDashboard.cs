using Marten;
using Npgsql;
using Sambung.Projections;
using Sambung.Projections.Usage;
using Sambung.Web.Features.Accounts;
using Sambung.Web.Features.Providers;

namespace Sambung.Web.Features.Analytics;

// How far the usage projection trails the event store: the events written but not yet counted, and when the
// oldest of them was written (null when it is up to date).
public sealed record UsageLag(long EventsBehind, DateTimeOffset? OldestPending)
{
    public static readonly UsageLag None = new(0, null);
}

// Reads the usage read model for a dashboard, prices it with today's catalogue, and says how current it is.
public sealed class UsageDashboard(IQuerySession session, IDocumentStore store, ModelCatalogue catalogue, NpgsqlDataSource db)
{
    // ownerId null: the whole instance, split by user too.
    public async Task<UsageReport> ReportAsync(string? ownerId, UsageRange range, UsageGrouping grouping, CancellationToken ct)
    {
        var query = session.Query<UsageDay>().Where(d => d.Day >= range.From && d.Day <= range.To);
        if (ownerId is not null) query = query.Where(d => d.OwnerId == ownerId);
        var days = await query.ToListAsync(ct);

        var prices = (await catalogue.EntriesAsync(ct))
            .Where(e => e.Info.InputPrice is not null || e.Info.OutputPrice is not null)
            .ToDictionary(e => e.Info.Id, e => new ModelPrice(e.Info.InputPrice ?? 0m, e.Info.OutputPrice ?? 0m));

        Dictionary<string, string>? names = null;
        if (ownerId is null)
        {
            var owners = days.Select(d => d.OwnerId).Distinct().ToArray();
            names = (await session.Query<SambungUser>().Where(u => owners.Contains(u.Id)).ToListAsync(ct))
                .ToDictionary(u => u.Id, u => u.DisplayName.Length > 0 ? u.DisplayName : u.UserName);
        }
        return UsageReport.Build(range, grouping, days, model => prices.GetValueOrDefault(model), names);
    }

    public async Task<UsageLag> LagAsync(CancellationToken ct)
    {
        var name = store.Options.Events.Projections().Single(p => p is UsageDayProjection).Name;
        var progress = (await store.Advanced.AllProjectionProgress(token: ct))
            .Where(s => s.ShardName.StartsWith(name + ":", StringComparison.Ordinal))
            .Select(s => s.Sequence).DefaultIfEmpty(0).Min();
        await using var command = db.CreateCommand(
            $"select (select coalesce(max(seq_id), 0) from {SambungStore.Schema}.mt_events), " +
            $"(select timestamp from {SambungStore.Schema}.mt_events where seq_id > $1 order by seq_id limit 1)");
        command.Parameters.AddWithValue(progress);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var last = reader.GetInt64(0);
        return last <= progress ? UsageLag.None
            : new UsageLag(last - progress, reader.IsDBNull(1) ? null : reader.GetFieldValue<DateTimeOffset>(1));
    }
}
