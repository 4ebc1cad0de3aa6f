using System.Diagnostics;
using Marten;
using Sambung.Projections.Conversations;

namespace Sambung.Benchmarks;

// What the chat page does to show a long conversation: ConversationQueries.LoadPageAsync (the ConversationTree
// header document, then one recursive query over TreeNode documents for the active path), timed in-process.
public static class OpenLongConversationBenchmark
{
    // Stops measuring after this long even if fewer runs than planned were made (each run is reported).
    private static readonly TimeSpan Budget = TimeSpan.FromMinutes(4);

    public static async Task RunAsync(BenchContext ctx)
    {
        Markdown.Heading(2, "open-long-conversation");
        var info = await LongConversation.EnsureAsync(ctx);

        int pathLength;
        Guid earlier;
        await using (var session = ctx.Store.QuerySession())
        {
            var tree = await session.FindTreeAsync(info.Id, LongConversation.Owner, CancellationToken.None)
                       ?? throw new InvalidOperationException("The long conversation has no page.");
            pathLength = (await session.ActivePathAsync(tree, CancellationToken.None)).Count;
            var first = await session.LoadPageAsync(info.Id, LongConversation.Owner, CancellationToken.None);
            earlier = first?.Earlier ?? throw new InvalidOperationException("The long conversation fits on one page.");
        }
        var facts = await DocumentFactsAsync(ctx, info.Id);

        // What the chat page reads: the newest page of the active path. Then the next page up ("Load earlier
        // messages"), and, for comparison, the whole active path at once (what the page read before paging).
        var page = await MeasureAsync(ctx, $"LoadPageAsync: the newest {ConversationQueries.PageSize} of {pathLength:N0} messages on the active path",
            () => LoadPageAsync(ctx, info.Id, null), ctx.Sizes.OpenRuns, Budget);
        var next = await MeasureAsync(ctx, $"LoadPageAsync(before): the {ConversationQueries.PageSize} messages above those",
            () => LoadPageAsync(ctx, info.Id, earlier), ctx.Sizes.OpenRuns, Budget);
        var whole = await MeasureAsync(ctx, $"ActivePathAsync: all {pathLength:N0} messages on the active path at once",
            () => WholePathAsync(ctx, info.Id), ctx.Sizes.OpenRuns, Budget);
        Markdown.Latencies([page, next, whole], goal: "p50 ≤ 50 ms");
        Markdown.Table(["fact", "value"],
        [
            ["TreeNode documents in the conversation", Markdown.Number(facts.Nodes)],
            ["branch points (nodes with more than one child)", Markdown.Number(facts.BranchPoints)],
            ["nodes on the active path", Markdown.Number(pathLength)],
            ["TreeNode data as stored (pg_column_size, compressed)", Markdown.Megabytes(facts.StoredBytes)],
            ["TreeNode data as JSON text", Markdown.Megabytes(facts.JsonBytes)],
            ["... of which the reply nodes' Context (prompt path end and length, system prompt)", Markdown.Megabytes(facts.ContextJsonBytes)],
            ["recursive query for the whole path, server execution only (EXPLAIN ANALYZE; excludes sending the rows)", $"{facts.ServerMs:0.0} ms"],
        ]);
    }

    private static async Task<Samples> MeasureAsync(BenchContext ctx, string name, Func<Task> load, int runs, TimeSpan budget)
    {
        for (var i = 0; i < ctx.Sizes.OpenWarmup; i++) await load();
        var samples = new Samples(name);
        var total = Stopwatch.StartNew();
        while (samples.Count < runs && (total.Elapsed < budget || samples.Count < 20))
            samples.Add(await Timing.TimeAsync(load));
        if (samples.Count < runs)
            Markdown.Line($"Note: {name}: stopped after {samples.Count} runs (time budget {budget.TotalMinutes:0} min).");
        return samples;
    }

    private static async Task LoadPageAsync(BenchContext ctx, Guid id, Guid? before)
    {
        await using var session = ctx.Store.QuerySession();
        var page = await session.LoadPageAsync(id, LongConversation.Owner, CancellationToken.None, before)
                   ?? throw new InvalidOperationException("The long conversation has no page.");
        if (page.ActivePath.Count == 0) throw new InvalidOperationException("An empty page.");
    }

    private static async Task WholePathAsync(BenchContext ctx, Guid id)
    {
        await using var session = ctx.Store.QuerySession();
        var tree = await session.FindTreeAsync(id, LongConversation.Owner, CancellationToken.None)
                   ?? throw new InvalidOperationException("The long conversation has no page.");
        _ = await session.ActivePathAsync(tree, CancellationToken.None);
    }

    private sealed record DocumentFacts(long Nodes, long BranchPoints, long StoredBytes, long JsonBytes, long ContextJsonBytes, double ServerMs);

    private static async Task<DocumentFacts> DocumentFactsAsync(BenchContext ctx, Guid id)
    {
        await using var cmd = ctx.Db.CreateCommand("""
            select count(*),
                   count(*) filter (where jsonb_array_length(data->'Children') > 1),
                   coalesce(sum(pg_column_size(data)), 0)::bigint,
                   coalesce(sum(octet_length(data::text)), 0)::bigint,
                   coalesce(sum(octet_length((data->'Context')::text)), 0)::bigint
            from sambung.mt_doc_treenode where conversation_id = $1
            """);
        cmd.CommandTimeout = 0;
        cmd.Parameters.AddWithValue(id);
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        var (nodes, branches, stored, json, pathIds) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4));
        await reader.CloseAsync();

        var leaf = await ctx.ScalarAsync<string>("select data->>'ActiveLeafId' from sambung.mt_doc_conversationtree where id = $1", id);
        var plan = await ctx.LinesAsync($"""
            explain (analyze, timing off)
            with recursive path(id, parent_id, depth) as (
                select id, parent_id, 0 from sambung.mt_doc_treenode where id = '{Guid.Parse(leaf)}' and conversation_id = '{id}'
                union all
                select n.id, n.parent_id, p.depth + 1 from sambung.mt_doc_treenode n join path p on n.id = p.parent_id
            )
            select d.data from path p join sambung.mt_doc_treenode d on d.id = p.id order by p.depth desc
            """);
        var execution = plan.LastOrDefault(l => l.StartsWith("Execution Time")) ?? "Execution Time: NaN ms";
        var ms = double.Parse(execution.Split(':')[1].Replace("ms", "").Trim(), System.Globalization.CultureInfo.InvariantCulture);
        return new(nodes, branches, stored, json, pathIds, ms);
    }
}
