using System.Diagnostics;
using Sambung.Events.Conversations;
using Sambung.FakeProviders;
using Sambung.Projections;
using Sambung.Projections.Audit;

namespace Sambung.Benchmarks;

// The History page of a 1,000-event conversation, through the real app (StreamingApp, one registered user): any
// step, from the first to the last, timed over HTTP as the server renders it (read the stream, fold it up to the
// step, describe the events around it, render the page). The conversation is built through the decisions: 
// exchanges, edits (branches), regenerations and a few settings changes, each exchange flushed on its own.
public static class HistoryBenchmark
{
    public const int Events = 1_000;
    private static readonly TimeSpan BudgetPerCase = TimeSpan.FromSeconds(40);

    public static async Task RunAsync(BenchContext ctx)
    {
        Markdown.Heading(2, "history");
        await using var llm = await FakeLlmServer.StartAsync();
        await using var app = await StreamingApp.StartAsync(ctx.ConnectionString, llm.OpenAIBaseUrl);
        var email = $"bench-history-{Guid.NewGuid():N}@example.com";
        using var client = await SambungClient.RegisterAsync(app.BaseUrl, email);
        var owner = await ctx.ScalarAsync<string>($"select id from {SambungStore.Schema}.mt_doc_sambunguser where data->>'Email' = $1", email);

        var (id, written, elapsed) = await BuildAsync(ctx, owner);
        Markdown.Line($"Built a conversation of {written:N0} events in {Markdown.Seconds(elapsed)}.");

        var steps = new[] { 1, Events / 4, Events / 2, Events * 3 / 4, Events };
        var cases = steps.Select(step => ($"GET /c/{{id}}/history?version={step} (of {Events:N0})", $"/c/{id}/history?version={step}")).ToList();
        var sizes = new List<IReadOnlyList<string>>();
        var samples = new List<Samples>();
        foreach (var (name, url) in cases)
        {
            var body = await client.GetAsync(url, false);
            if (!body.Contains("history-state")) throw new InvalidOperationException($"{url} did not render the history page.");
            sizes.Add([name, Markdown.Megabytes(System.Text.Encoding.UTF8.GetByteCount(body))]);
            for (var i = 0; i < ctx.Sizes.WorkspaceWarmup; i++) await client.GetAsync(url, false);
            var runs = new Samples(name);
            var budget = Stopwatch.StartNew();
            while (runs.Count < ctx.Sizes.WorkspaceRuns && (budget.Elapsed < BudgetPerCase || runs.Count < 10))
                runs.Add(await Timing.TimeAsync(() => client.GetAsync(url, false)));
            samples.Add(runs);
        }
        Markdown.Latencies(samples, goal: "p50 ≤ 100 ms");

        // The same steps in-process, without HTTP or rendering: what the page reads and folds (the events up to the
        // end of the list it shows, then Conversation.Fold up to the step), to tell the data work from the rest.
        var folds = new List<Samples>();
        foreach (var step in steps)
        {
            var runs = new Samples($"read {Math.Min(Events, Math.Clamp(step - 50, 1, Events - 99) + 99):N0} events and fold up to step {step}");
            for (var i = 0; i < ctx.Sizes.WorkspaceWarmup; i++) await ReadAndFoldAsync(ctx, id, step);
            var budget = Stopwatch.StartNew();
            while (runs.Count < ctx.Sizes.WorkspaceRuns && (budget.Elapsed < BudgetPerCase / 2 || runs.Count < 10))
                runs.Add(await Timing.TimeAsync(() => ReadAndFoldAsync(ctx, id, step)));
            folds.Add(runs);
        }
        Markdown.Latencies(folds);
        Markdown.Line("Response sizes (HTML as sent, uncompressed):");
        Markdown.Table(["request", "body"], sizes);
    }

    private static async Task ReadAndFoldAsync(BenchContext ctx, Guid id, int step)
    {
        await using var session = ctx.Store.QuerySession();
        var until = Math.Min(Events, Math.Clamp(step - 50, 1, Events - 99) + 99);
        var events = await session.Events.FetchStreamAsync(id, version: until);
        if (Conversation.Fold(events.Take(step).Select(e => e.Data)) is not { } state || state.Version != step)
            throw new InvalidOperationException($"Step {step} did not fold.");
    }

    private static async Task<(Guid Id, int Written, TimeSpan Elapsed)> BuildAsync(BenchContext ctx, string owner)
    {
        var text = ctx.Text(7_000);
        var at = DateTimeOffset.UtcNow.AddDays(-3);
        var watch = Stopwatch.StartNew();
        var conversation = ScriptedConversation.Start(Guid.CreateVersion7(), owner, text.Message(), text.Message(), at);
        await FlushAsync(ctx, conversation);
        for (var turn = 1; conversation.EventsWritten < Events - 3; turn++)
        {
            at = at.AddMinutes(1);
            if (turn % 25 == 0) conversation.Edit(conversation.LastUserMessage(), text.Message(), text.Message(), at);
            else if (turn % 17 == 0) conversation.Regenerate(conversation.LastReply(), text.Message(), at);
            else if (turn % 40 == 0) conversation.Decide(new RenameConversation(conversation.Id, $"Title {turn}", owner), at);
            else conversation.Exchange(text.Message(), text.Message(), at);
            await FlushAsync(ctx, conversation);
        }
        // Up to exactly Events with pin / unpin (one event each).
        while (conversation.EventsWritten < Events)
        {
            var pinned = conversation.State.Pinned;
            conversation.Decide(new PinConversation(conversation.Id, !pinned, owner), at);
            await FlushAsync(ctx, conversation);
        }
        return (conversation.Id, conversation.EventsWritten, watch.Elapsed);
    }

    private static async Task FlushAsync(BenchContext ctx, ScriptedConversation conversation)
    {
        await using var session = ctx.Store.LightweightSession();
        session.SetHeader(AuditProjection.SourceHeader, "127.0.0.1");
        conversation.Flush(session);
        await session.SaveChangesAsync();
    }
}
