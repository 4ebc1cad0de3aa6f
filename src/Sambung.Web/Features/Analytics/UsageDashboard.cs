using JasperFx.Events.Projections;
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
    // whatIf: a model to price the period's tokens with; allChats: every chat of the period (an export), not only
    // the first UsageChats.Shown (the page).
    public async Task<UsageReport> ReportAsync(string? ownerId, UsageRange range, UsageGrouping grouping, CancellationToken ct,
        string? whatIf = null, bool allChats = false)
    {
        var prices = LastPrices = await modelPrices.BookAsync(ct);
        if (ownerId is null)
        {
            var instance = await session.Query<UsageModelDay>().Where(d => d.Day >= range.From && d.Day <= range.To).ToListAsync(ct);
            var sums = await UsageUserQuery.LoadAsync(db, session, range, prices, ct);
            var owners = sums.Select(s => s.OwnerId).ToArray();
            var names = (await session.Query<SambungUser>().Where(u => owners.Contains(u.Id)).ToListAsync(ct))
                .ToDictionary(u => u.Id, u => u.DisplayName.Length > 0 ? u.DisplayName : u.UserName);
            return UsageReport.Build(range, grouping, instance, prices.PriceOn, whatIf) with { Users = UsageReport.ByUser(sums, names) };
        }

        var days = await OwnDaysAsync(ownerId, range, ct);
        return UsageReport.Build(range, grouping, days, prices.PriceOn, whatIf) with
        {
            Chats = await UsageChatQuery.LoadAsync(db, session, ownerId, range, prices, ct, allChats ? null : UsageChats.Shown),
        };
    }

    // Model performance alone (the comparison page): one owner's UsageDay documents of the range.
    public async Task<IReadOnlyList<ModelPerformance>> PerformanceAsync(string ownerId, UsageRange range, CancellationToken ct) =>
        ModelPerformance.Of(await OwnDaysAsync(ownerId, range, ct));

    // One owner's UsageDay documents of a range (the (owner_id, day) index).
    private async Task<IReadOnlyList<UsageDay>> OwnDaysAsync(string ownerId, UsageRange range, CancellationToken ct) =>
        await session.Query<UsageDay>().Where(d => d.OwnerId == ownerId && d.Day >= range.From && d.Day <= range.To).ToListAsync(ct);

    // One round trip: the newest event, the usage projections' common mark (a shard that has not started yet counts
    // as 0), and when the first event after that mark was written.
    public async Task<UsageLag> LagAsync(CancellationToken ct)
    {
        var shards = store.Options.Events.Projections()
            .Where(p => p is UsageDayProjection or UsageChatDayProjection or UsageModelDayProjection)
            .Select(p => new ShardName(p.Name, ShardName.All, p.Version).Identity).ToArray();
        await using var command = db.CreateCommand($"""
            with mark as (
                select coalesce(min(coalesce(p.last_seq_id, 0)), 0) as seq
                from unnest($1::text[]) s(name) left join {SambungStore.Schema}.mt_event_progression p on p.name = s.name)
            select (select coalesce(max(seq_id), 0) from {SambungStore.Schema}.mt_events), mark.seq,
                   (select e.timestamp from {SambungStore.Schema}.mt_events e where e.seq_id > mark.seq order by e.seq_id limit 1)
            from mark
            """);
        command.Parameters.AddWithValue(shards);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var (last, mark) = (reader.GetInt64(0), reader.GetInt64(1));
        return last <= mark ? UsageLag.None
            : new UsageLag(last - mark, reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2));
    }
}
