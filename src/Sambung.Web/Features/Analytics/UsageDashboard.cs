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
public sealed class UsageDashboard(IQuerySession session, IDocumentStore store, ModelPrices modelPrices, NpgsqlDataSource db)
{
    // The price book the last report was priced with (one read per request, for the page's what-if list too).
    public PriceBook? LastPrices { get; private set; }

    // ownerId null: the whole instance, split by user too (and not by chat: chat titles are their owners' own).
    // whatIf: a model to price the period's tokens with.
    public async Task<UsageReport> ReportAsync(string? ownerId, UsageRange range, UsageGrouping grouping, CancellationToken ct,
        string? whatIf = null)
    {
        var query = session.Query<UsageDay>().Where(d => d.Day >= range.From && d.Day <= range.To);
        if (ownerId is not null) query = query.Where(d => d.OwnerId == ownerId);
        var days = await query.ToListAsync(ct);

        var prices = LastPrices = await modelPrices.BookAsync(ct);

        Dictionary<string, string>? names = null;
        if (ownerId is null)
        {
            var owners = days.Select(d => d.OwnerId).Distinct().ToArray();
            names = (await session.Query<SambungUser>().Where(u => owners.Contains(u.Id)).ToListAsync(ct))
                .ToDictionary(u => u.Id, u => u.DisplayName.Length > 0 ? u.DisplayName : u.UserName);
        }
        var report = UsageReport.Build(range, grouping, days, prices.PriceOn, names, whatIf);
        return ownerId is null ? report
            : report with { Chats = await UsageChatQuery.LoadAsync(db, session, ownerId, range, prices, ct) };
    }

    // Model performance alone (the comparison page): one owner's UsageDay documents of the range.
    public async Task<IReadOnlyList<ModelPerformance>> PerformanceAsync(string ownerId, UsageRange range, CancellationToken ct) =>
        ModelPerformance.Of(await session.Query<UsageDay>()
            .Where(d => d.OwnerId == ownerId && d.Day >= range.From && d.Day <= range.To).ToListAsync(ct));

    public async Task<UsageLag> LagAsync(CancellationToken ct)
    {
        var names = store.Options.Events.Projections().Where(p => p is UsageDayProjection or UsageChatDayProjection).Select(p => p.Name + ":").ToList();
        var progress = (await store.Advanced.AllProjectionProgress(token: ct))
            .Where(s => names.Any(n => s.ShardName.StartsWith(n, StringComparison.Ordinal)))
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
