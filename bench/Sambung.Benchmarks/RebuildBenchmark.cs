using System.Diagnostics;
using JasperFx.Events.Projections;
using Marten;
using Sambung.Events.Conversations;
using Sambung.Projections;
using Sambung.Projections.Audit;
using Sambung.Projections.Search;
using Sambung.Web.Infrastructure;

namespace Sambung.Benchmarks;

// Every projection rebuilt from zero over everything in mt_events, as ProjectionRebuilder.RebuildAllAsync does
// (truncate the plain search table, then RebuildProjectionAsync for each projection name), but with a daemon built
// from the store instead of the web host's IProjectionCoordinator. Async projections (UsageDay, Audit) included.
public static class RebuildBenchmark
{
    private const int ConversationsPerBatch = 50;

    public static async Task RunAsync(BenchContext ctx)
    {
        Markdown.Heading(2, "rebuild");
        await GenerateAsync(ctx);

        var totalEvents = await ctx.ScalarAsync<long>("select count(*) from sambung.mt_events");
        var streams = await ctx.ScalarAsync<long>("select count(*) from sambung.mt_streams");
        var eventBytes = await ctx.ScalarAsync<long>("select coalesce(sum(pg_column_size(data)), 0)::bigint from sambung.mt_events");
        var before = await CountsAsync(ctx);
        var treeBefore = await TreeCheck.FingerprintAsync(ctx);

        // One projection at a time, to see where the time goes (the search table refilled in one statement, as the
        // app does); then the whole rebuild as the app runs it (ProjectionRebuilder: two projections at a time).
        var (each, eachTotal) = await RebuildOneByOneAsync(ctx, ctx.Store);
        var treeEach = await TreeCheck.FingerprintAsync(ctx);
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var appTotal = await Timing.TimeAsync(async () =>
        {
            using var daemon = await ctx.Store.BuildProjectionDaemonAsync();
            await ProjectionRebuilder.RebuildAllAsync(ctx.Store, daemon, ctx.Db, CancellationToken.None);
        });
        var appCpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        var after = await CountsAsync(ctx);
        var treeAfter = await TreeCheck.FingerprintAsync(ctx);

        Markdown.Line($"{totalEvents:N0} events in {streams:N0} streams ({Markdown.Megabytes(eventBytes)} of event data as stored), " +
                      "everything the scenarios before this one wrote included.");
        Markdown.Table(["projection", "lifecycle", "rebuild time, alone", "of which .NET CPU", "events/s (all events / this time)"],
            each.Select(t => (IReadOnlyList<string>)
                [t.Name, t.Lifecycle?.ToString() ?? "", Markdown.Seconds(t.Time), Markdown.Seconds(t.Cpu), t.Lifecycle == null ? "" : Markdown.Number(totalEvents / t.Time.TotalSeconds)])
            .Append(["one after another", "", Markdown.Seconds(eachTotal), Markdown.Seconds(TimeSpan.FromTicks(each.Sum(t => t.Cpu.Ticks))), Markdown.Number(totalEvents / eachTotal.TotalSeconds)])
            .Append(["**as the app rebuilds (ProjectionRebuilder, two at a time)**", "", $"**{Markdown.Seconds(appTotal)}**", Markdown.Seconds(appCpu),
                     $"**{Markdown.Number(totalEvents / appTotal.TotalSeconds)}**"]));
        Markdown.Line("\".NET CPU\" is the CPU time of the benchmark process (Marten: reading, slicing and applying events, serializing documents); " +
                      "the rest of the wall time is mostly PostgreSQL (same 2 cores).");
        Markdown.Line("Goal: ≥ 20,000 events/s for the whole rebuild (last row).");
        Markdown.Table(["read model", "rows before", "rows after"],
            before.Keys.Select(k => (IReadOnlyList<string>)[k, Markdown.Number(before[k]), Markdown.Number(after[k])]));
        Markdown.Line("(UsageDay and AuditEntry are async projections: no daemon runs while the scenarios write, so on a fresh run they start empty.)");
        var selfParents = await ctx.ScalarAsync<long>("select count(*) from sambung.mt_doc_treenode where id = parent_id");
        Markdown.Line(treeBefore == treeAfter && treeBefore == treeEach
            ? "Check: every TreeNode has the same parent, children, kind and status after the rebuild as the inline projection wrote."
            : $"**Check failed: the rebuilt TreeNode documents differ from those the inline projection wrote** ({selfParents:N0} nodes are their own parent).");
    }

    // 1,000 conversations of about 100 events each, from 50 owners, with some edits, regenerated replies, renames,
    // tags, pins and deletions, written with the inline projections on: each SaveChangesAsync adds one exchange to
    // each of 50 conversations (see ScriptedConversation for why not more).
    private static async Task GenerateAsync(BenchContext ctx)
    {
        var existing = await ctx.ScalarAsync<long>("select count(*) from sambung.mt_doc_chatlistitem where owner_id like 'bench-rebuild-%'");
        if (existing >= ctx.Sizes.RebuildConversations)
        {
            Markdown.Line($"Reusing the {existing:N0} conversations of an earlier run (--keep-data).");
            return;
        }
        var text = ctx.Text(7);
        var start = DateTimeOffset.UtcNow.AddDays(-90);
        var watch = Stopwatch.StartNew();
        var events = 0;
        for (var first = 0; first < ctx.Sizes.RebuildConversations; first += ConversationsPerBatch)
        {
            var group = Enumerable.Range(first, Math.Min(ConversationsPerBatch, ctx.Sizes.RebuildConversations - first))
                .Select(c => (Number: c, Owner: $"bench-rebuild-{c % 50}", At: start.AddHours(c * 2))).ToList();
            var scripts = group.Select(c => ScriptedConversation.Start(Guid.CreateVersion7(), c.Owner, text.Message(), text.Message(), c.At)).ToList();
            for (var round = 0; round <= ctx.Sizes.RebuildExchanges + 1; round++)
            {
                await using var session = ctx.Store.LightweightSession();
                session.SetHeader(AuditProjection.SourceHeader, "127.0.0.1");
                for (var i = 0; i < scripts.Count; i++)
                {
                    var (script, c, at) = (scripts[i], group[i].Number, group[i].At.AddMinutes(2 * round));
                    if (round == ctx.Sizes.RebuildExchanges + 1)
                    {
                        if (c % 5 == 0) script.Decide(new RenameConversation(script.Id, $"Renamed {c}", script.Owner), at);
                        if (c % 7 == 0) script.Decide(new TagConversation(script.Id, $"tag{c % 10}", script.Owner), at);
                        if (c % 11 == 0) script.Decide(new PinConversation(script.Id, true, script.Owner), at);
                        if (c % 13 == 0) script.Decide(new DeleteConversation(script.Id, script.Owner), at);
                    }
                    else if (round > 0)
                    {
                        switch (text.Next(0, 20))
                        {
                            case 0: script.Edit(script.LastUserMessage(), text.Message(), text.Message(), at); break;
                            case 1: script.Regenerate(script.LastReply(), text.Message(), at); break;
                            default: script.Exchange(text.Message(), text.Message(), at); break;
                        }
                    }
                    events += script.PendingEvents;
                    script.Flush(session);
                }
                await session.SaveChangesAsync();
            }
        }
        Markdown.Line($"Generated {ctx.Sizes.RebuildConversations:N0} conversations ({events:N0} events) in {Markdown.Seconds(watch.Elapsed)} " +
                      $"({events / watch.Elapsed.TotalSeconds:N0} events/s appended with the inline projections on, " +
                      $"one exchange for each of {ConversationsPerBatch} conversations per SaveChangesAsync).");
        await TreeCheck.EnsureSoundAsync(ctx);
    }

    // Each replayed projection alone, then the set-based refill of the search table.
    private static async Task<(List<(string Name, ProjectionLifecycle? Lifecycle, TimeSpan Time, TimeSpan Cpu)>, TimeSpan Total)> RebuildOneByOneAsync(
        BenchContext ctx, DocumentStore store)
    {
        var projections = ((IDocumentStore)store).Options.Events.Projections().Where(p => p is not MessageSearchProjection)
            .Select(p => (p.Name, p.Lifecycle)).ToList();
        var timings = new List<(string Name, ProjectionLifecycle? Lifecycle, TimeSpan Time, TimeSpan Cpu)>();
        var total = Stopwatch.StartNew();
        using (var daemon = await store.BuildProjectionDaemonAsync())
        {
            foreach (var (name, lifecycle) in projections)
            {
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var time = await Timing.TimeAsync(() => daemon.RebuildProjectionAsync(name, TimeSpan.FromMinutes(30), CancellationToken.None));
                timings.Add((name, lifecycle, time, Process.GetCurrentProcess().TotalProcessorTime - cpu));
            }
        }
        var refillCpu = Process.GetCurrentProcess().TotalProcessorTime;
        var refill = await Timing.TimeAsync(() => MessageSearchProjection.RefillAsync(ctx.Db, CancellationToken.None));
        timings.Add(("message_search refill (one statement)", null, refill, Process.GetCurrentProcess().TotalProcessorTime - refillCpu));
        return (timings, total.Elapsed);
    }

    private static async Task<Dictionary<string, long>> CountsAsync(BenchContext ctx)
    {
        var counts = new Dictionary<string, long>();
        foreach (var table in new[] { "mt_doc_conversationtree", "mt_doc_chatlistitem", "mt_doc_treenode", "message_search", "mt_doc_libraryview", "mt_doc_usageday_2", "mt_doc_auditentry" })
            counts[table] = await ctx.ScalarAsync<long>($"select count(*) from {SambungStore.Schema}.{table}");
        return counts;
    }
}
