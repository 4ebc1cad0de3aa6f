using System.Diagnostics;
using Marten;
using Sambung.Projections.Conversations;

namespace Sambung.Benchmarks;

// What the chat page does to show a long conversation: ConversationQueries.LoadPageAsync (the ConversationTree
// header document, then one recursive query over TreeNode documents for the active path), timed in-process.
public static class OpenLongConversationBenchmark
{
    // Stops measuring after this long even if fewer runs than planned were made (each run is reported).
    private static readonly TimeSpan Budget = TimeSpan.FromMinutes(6);

    public static async Task RunAsync(BenchContext ctx)
    {
        Markdown.Heading(2, "open-long-conversation");
        var info = await LongConversation.EnsureAsync(ctx);

        int pathLength;
        await using (var session = ctx.Store.QuerySession())
        {
            var first = await session.LoadPageAsync(info.Id, LongConversation.Owner, CancellationToken.None)
                        ?? throw new InvalidOperationException("The long conversation has no page.");
            pathLength = first.ActivePath.Count;
        }
        var facts = await DocumentFactsAsync(ctx, info.Id);

        var page = await MeasureAsync(ctx, $"LoadPageAsync: {ctx.Sizes.LongMessages:N0} messages, {pathLength:N0} nodes on the active path",
            () => LoadPageAsync(ctx, info.Id), ctx.Sizes.OpenRuns, TimeSpan.FromMinutes(12));
        Markdown.Latencies([page], goal: "p50 ≤ 50 ms");
        Markdown.Table(["fact", "value"],
        [
            ["TreeNode documents in the conversation", Markdown.Number(facts.Nodes)],
            ["branch points (nodes with more than one child)", Markdown.Number(facts.BranchPoints)],
            ["nodes on the active path (what the page reads)", Markdown.Number(pathLength)],
            ["TreeNode data as stored (pg_column_size, compressed)", Markdown.Megabytes(facts.StoredBytes)],
            ["TreeNode data as JSON text (what is sent and parsed)", Markdown.Megabytes(facts.JsonBytes)],
            ["... of which Context.PathNodeIds (the prompt's path, copied into every reply node)", Markdown.Megabytes(facts.PathIdsJsonBytes)],
            ["recursive path query, server execution only (EXPLAIN ANALYZE; excludes sending the rows)", $"{facts.ServerMs:0.0} ms"],
        ]);

        // What the page would cost with the changes proposed in docs/benchmarks.md: (a) read only the newest part of
        // the active path (the recursive query stops after a page of nodes; earlier ones load on demand), (b) reply
        // nodes that do not carry the prompt's path (simulated by blanking that array in the stored documents, then
        // putting it back), (c) both.
        var whatIfs = new List<Samples>
        {
            await MeasureAsync(ctx, $"what-if (a): newest {NewestNodes} nodes of the active path only", () => LoadNewestAsync(ctx, info.Id), ctx.Sizes.OpenRuns, TimeSpan.FromMinutes(3)),
        };
        await ctx.ExecAsync("""
            create table sambung.bench_treenode_backup as
                select id, data from sambung.mt_doc_treenode where conversation_id = $1 and data->'Context' ? 'PathNodeIds'
            """, info.Id);
        try
        {
            await ctx.ExecAsync("""
                update sambung.mt_doc_treenode set data = jsonb_set(data, '{Context,PathNodeIds}', '[]'::jsonb)
                    where conversation_id = $1 and data->'Context' ? 'PathNodeIds'
                """, info.Id);
            await ctx.ExecAsync("vacuum analyze sambung.mt_doc_treenode");
            whatIfs.Add(await MeasureAsync(ctx, "what-if (b): LoadPageAsync, reply nodes without Context.PathNodeIds", () => LoadPageAsync(ctx, info.Id), ctx.Sizes.OpenRuns, TimeSpan.FromMinutes(3)));
            whatIfs.Add(await MeasureAsync(ctx, $"what-if (a)+(b): newest {NewestNodes} nodes, without Context.PathNodeIds", () => LoadNewestAsync(ctx, info.Id), ctx.Sizes.OpenRuns, TimeSpan.FromMinutes(3)));
        }
        finally
        {
            await ctx.ExecAsync("update sambung.mt_doc_treenode t set data = b.data from sambung.bench_treenode_backup b where t.id = b.id");
            await ctx.ExecAsync("drop table sambung.bench_treenode_backup");
            await ctx.ExecAsync("vacuum analyze sambung.mt_doc_treenode");
        }
        Markdown.Latencies(whatIfs, goal: "p50 ≤ 50 ms");
    }

    private const int NewestNodes = 100;

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

    private static async Task LoadPageAsync(BenchContext ctx, Guid id)
    {
        await using var session = ctx.Store.QuerySession();
        _ = await session.LoadPageAsync(id, LongConversation.Owner, CancellationToken.None)
            ?? throw new InvalidOperationException("The long conversation has no page.");
    }

    // The header document and the newest nodes of the active path: ConversationQueries' recursive query with a
    // depth limit (a sketch of the proposed change, not code the app has).
    private static async Task LoadNewestAsync(BenchContext ctx, Guid id)
    {
        await using var session = ctx.Store.QuerySession();
        var tree = await session.FindTreeAsync(id, LongConversation.Owner, CancellationToken.None)
                   ?? throw new InvalidOperationException("The long conversation has no page.");
        var nodes = await session.QueryAsync<TreeNode>("""
            with recursive path(id, parent_id, depth) as (
                select id, parent_id, 0 from sambung.mt_doc_treenode where id = ? and conversation_id = ?
                union all
                select n.id, n.parent_id, p.depth + 1 from sambung.mt_doc_treenode n join path p on n.id = p.parent_id where p.depth < ?
            )
            select d.data from path p join sambung.mt_doc_treenode d on d.id = p.id order by p.depth desc
            """, CancellationToken.None, tree.ActiveLeafId, id, NewestNodes);
        if (nodes.Count == 0) throw new InvalidOperationException("No path.");
    }

    private sealed record DocumentFacts(long Nodes, long BranchPoints, long StoredBytes, long JsonBytes, long PathIdsJsonBytes, double ServerMs);

    private static async Task<DocumentFacts> DocumentFactsAsync(BenchContext ctx, Guid id)
    {
        await using var cmd = ctx.Db.CreateCommand("""
            select count(*),
                   count(*) filter (where jsonb_array_length(data->'Children') > 1),
                   coalesce(sum(pg_column_size(data)), 0)::bigint,
                   coalesce(sum(octet_length(data::text)), 0)::bigint,
                   coalesce(sum(octet_length((data->'Context'->'PathNodeIds')::text)), 0)::bigint
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
