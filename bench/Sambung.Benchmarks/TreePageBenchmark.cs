using System.IO.Compression;
using System.Text;
using Marten;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Sambung.Projections.Conversations;
using Sambung.Web;
using Sambung.Web.Features.Branching;

namespace Sambung.Benchmarks;

// What the tree page (/c/{id}/tree) does for the 5,000-message conversation: the owner-scoped header, the outline
// query (every node, cut down in SQL), and drawing the whole tree as HTML, timed in-process; then how big that
// HTML is, raw and compressed. The page's layout, sidebar and Razor around the tree are not included here.
public static class TreePageBenchmark
{
    private static readonly TimeSpan Budget = TimeSpan.FromMinutes(3);

    public static async Task RunAsync(BenchContext ctx)
    {
        Markdown.Heading(2, "tree-page");
        var info = await LongConversation.EnsureAsync(ctx);
        var text = new ResourceManagerStringLocalizerFactory(Options.Create(new LocalizationOptions { ResourcesPath = "Resources" }), NullLoggerFactory.Instance)
            .Create(typeof(SharedResource));

        string html = "";
        int nodes = 0;
        async Task DrawAsync()
        {
            await using var session = ctx.Store.QuerySession();
            var tree = await session.FindTreeAsync(info.Id, LongConversation.Owner, CancellationToken.None)
                       ?? throw new InvalidOperationException("The long conversation has no tree.");
            var view = new TreeView(await ctx.Db.OutlineAsync(info.Id, CancellationToken.None), info.Id, tree.ActiveLeafId, false, text);
            html = view.Html(tree.ActiveLeafId);
            _ = view.Marked().Count();
            nodes = view.Count;
        }
        async Task QueryAsync() => _ = await ctx.Db.OutlineAsync(info.Id, CancellationToken.None);

        var page = await MeasureAsync(ctx, $"header + outline query + drawing {info.UserMessages + info.Replies:N0} messages", DrawAsync);
        var query = await MeasureAsync(ctx, "outline query alone", QueryAsync);
        Markdown.Latencies([page, query], goal: "page ≤ 200 ms");

        var raw = Encoding.UTF8.GetBytes(html);
        Markdown.Table(["tree HTML", "bytes"],
        [
            ["nodes drawn", Markdown.Number(nodes)],
            ["raw (what the app sends: pages are not compressed, see Program.cs)", Markdown.Megabytes(raw.Length)],
            ["gzip (optimal)", Markdown.Megabytes(Compressed(raw, s => new GZipStream(s, CompressionLevel.Optimal)))],
            ["brotli (optimal)", Markdown.Megabytes(Compressed(raw, s => new BrotliStream(s, CompressionLevel.Optimal)))],
            ["per node, raw", Markdown.Number(raw.Length / Math.Max(1, nodes)) + " B"],
        ]);
    }

    private static long Compressed(byte[] raw, Func<Stream, Stream> compressor)
    {
        var output = new MemoryStream();
        using (var stream = compressor(output)) stream.Write(raw);
        return output.ToArray().Length;
    }

    private static async Task<Samples> MeasureAsync(BenchContext ctx, string name, Func<Task> run)
    {
        for (var i = 0; i < ctx.Sizes.OpenWarmup; i++) await run();
        var samples = new Samples(name);
        var total = System.Diagnostics.Stopwatch.StartNew();
        var runs = Math.Min(ctx.Sizes.OpenRuns, 100);
        while (samples.Count < runs && (total.Elapsed < Budget || samples.Count < 10))
            samples.Add(await Timing.TimeAsync(run));
        return samples;
    }
}
