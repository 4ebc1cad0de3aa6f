using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Marten;
using Sambung.Events.Conversations;
using Sambung.FakeProviders;
using Sambung.Projections.Conversations;

namespace Sambung.Benchmarks;

// Issue 4: the time to first token Sambung adds to a provider's, at 1, 100 and 1,000 concurrent streams, and whether
// 1,000 streams run on this machine without errors (with the app's CPU and memory).
//   The provider is the fake one (tests/Sambung.FakeProviders) in this process: the same scripted reply for every
//   request, a fixed delay before the first chunk and between chunks, so the provider's own time is known.
//   The app is the real one, started as a process (Production settings) against the bench database.
//   Direct: N clients call the fake provider's chat completions (stream=true) themselves; time from the start of the
//   request to the first content chunk. Through Sambung: N clients post a message into an existing chat, open the
//   reply's SSE stream as htmx does, and time from the start of the POST to the first event carrying reply text.
//   Each client repeats: one request after the other ends, so N streams stay open; the first round of each client
//   is a warm-up, started staggered over one reply's length so that the load arrives spread out, not as one burst.
// Added time to first token is the difference of the two distributions' percentiles at the same N (not a per-request
// difference: the two sides are separate runs).
public static class StreamingBenchmark
{
    private static readonly TimeSpan FirstTokenDelay = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan ChunkDelay = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromMinutes(3);
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    // A lone stream needs many samples and no long reply (nothing else runs beside it), so its replies are short;
    // at N > 1 a reply lasts longer than the staggered start, so N streams really are open at once.
    // Settle: the pause between runs, so that the app finishes its background work (the ends of replies, the async
    // projections) before the next.
    private sealed record Plan(int[] Concurrency, int LoneRounds, int LoneChunks, int Chunks, int MinRounds, int TargetSamples, TimeSpan Settle)
    {
        public static readonly Plan Full = new([1, 100, 1_000], LoneRounds: 100, LoneChunks: 10, Chunks: 200, MinRounds: 2, TargetSamples: 300, TimeSpan.FromSeconds(3));
        public static readonly Plan Quick = new([1, 10, 50], LoneRounds: 10, LoneChunks: 10, Chunks: 20, MinRounds: 2, TargetSamples: 0, TimeSpan.FromSeconds(1));

        public int ChunksAt(int n) => n == 1 ? LoneChunks : Chunks;
        public int MeasuredRounds(int n) => n == 1 ? LoneRounds : Math.Max(MinRounds, (int)Math.Ceiling((double)TargetSamples / n));
    }

    // One side (direct or through Sambung) at one concurrency.
    private sealed class Phase(string name, int concurrency)
    {
        public int Open; // requests in flight right now (Interlocked)
        private readonly ConcurrentQueue<(StreamAttempt Attempt, bool Measured, int OpenAtStart)> attempts = new();
        private readonly ConcurrentDictionary<string, DateTimeOffset> measuredStarts = new(); // prompt → when its request started

        public string Name => name;
        public int Concurrency => concurrency;
        public IReadOnlyCollection<(StreamAttempt Attempt, bool Measured, int OpenAtStart)> Attempts => attempts;
        public List<string> Errors { get; } = [];
        public Samples FirstText { get; } = new(name != "Sambung"
            ? $"{name}, {Streams(concurrency)}: first content chunk"
            : $"{name}, {Streams(concurrency)}: first reply text on the SSE stream");
        public Samples Answered { get; } = new($"{name}, {Streams(concurrency)}: POST answered");
        public Samples Snapshot { get; } = new($"{name}, {Streams(concurrency)}: SSE snapshot received");
        public Samples AppTtft { get; } = new($"{name}, {Streams(concurrency)}: app-recorded TTFT (generation start → provider's first chunk)");
        public Samples ProviderReached { get; } = new($"{name}, {Streams(concurrency)}: the provider has the request");
        public TimeSpan Elapsed { get; set; }
        public StreamingResources.Snapshot Before { get; set; } = null!;
        public StreamingResources.Snapshot After { get; set; } = null!;
        public (long Rss, int Open) Peak { get; set; }
        public (long Rss, int Open) Busiest { get; set; }
        public int MaxThreads { get; set; }
        public (int Open, int Active) MaxConnections { get; set; }

        public void Add(StreamAttempt attempt, bool measured, int openAtStart) => attempts.Enqueue((attempt, measured, openAtStart));

        public void Started(string prompt, DateTimeOffset at) => measuredStarts[prompt] = at;

        // When the provider had each measured request (its arrival as the fake server recorded it, on the same
        // clock), from the start of the request or POST: how long the way to the provider took.
        public void Collect(IEnumerable<RecordedRequest> received)
        {
            foreach (var request in received)
                if (request.Path.EndsWith("/chat/completions", StringComparison.Ordinal)
                    && request.Json()?["messages"] is System.Text.Json.Nodes.JsonArray { Count: > 0 } messages
                    && messages[^1]?["content"]?.GetValue<string>() is { } prompt
                    && measuredStarts.TryGetValue(prompt, out var started))
                    ProviderReached.Add(request.ReceivedAt - started);
            foreach (var (attempt, measured, _) in attempts)
            {
                if (attempt.Error is { } error) Errors.Add(error);
                if (!measured || attempt.Error is not null) continue;
                if (attempt.FirstText is { } first) FirstText.Add(first);
                if (attempt.Answered is { } answered) Answered.Add(answered);
                if (attempt.Snapshot is { } snapshot) Snapshot.Add(snapshot);
            }
        }

        public int[] OpenAtMeasuredStarts() => [.. attempts.Where(a => a.Measured).Select(a => a.OpenAtStart).Order()];
    }

    public static async Task RunAsync(BenchContext ctx)
    {
        Markdown.Heading(2, "streaming");
        var plan = ctx.Quick ? Plan.Quick : Plan.Full;
        // SAMBUNG_BENCH_STREAMS=1,100: only those concurrencies (the goal's, without the 1,000-stream run's minutes).
        if (Environment.GetEnvironmentVariable("SAMBUNG_BENCH_STREAMS") is { Length: > 0 } only)
            plan = plan with { Concurrency = [.. only.Split(',').Select(int.Parse)] };
        await using var llm = await FakeLlmServer.StartAsync();
        llm.DefaultReply = FakeReply.Of("Ready.");
        await using var app = await StreamingApp.StartAsync(ctx.ConnectionString, llm.OpenAIBaseUrl);
        using var sambung = await SambungClient.RegisterAsync(app.BaseUrl, $"bench-{Guid.NewGuid():N}@example.com");
        using var direct = new DirectClient(llm.OpenAIBaseUrl);
        await using var bareRelay = await BareRelay.StartAsync(llm.OpenAIBaseUrl);
        using var relayed = new DirectClient(bareRelay.BaseUrl);

        var seedWatch = Stopwatch.StartNew();
        var conversations = await StartConversationsAsync(sambung, plan.Concurrency.Max());
        Markdown.Line($"The app runs as its own process (Production settings, `dotnet Sambung.Web.dll`, the configuration this program was built with) " +
                      $"on 127.0.0.1 against the bench database; one registered user (rate limits raised for it) and {conversations.Count:N0} chats " +
                      $"started beforehand through the new-chat form ({Markdown.Seconds(seedWatch.Elapsed)}), so every timed post goes into an existing chat " +
                      "with a short history. The fake OpenAI provider runs inside this benchmark process, beside the clients: the app, the provider, " +
                      "the clients and PostgreSQL share the machine's cores.");
        Markdown.Line($"Every provider reply: the first chunk {Markdown.Ms(FirstTokenDelay.TotalMilliseconds)} ms after the request (the role chunk and headers " +
                      $"at once), then one chunk every {Markdown.Ms(ChunkDelay.TotalMilliseconds)} ms: {plan.ChunksAt(1)} chunks at 1 stream, " +
                      $"{plan.Chunks} chunks ({Markdown.Seconds(StreamLength(plan.Chunks))}) at {string.Join(" and ", plan.Concurrency.Where(n => n > 1).Select(n => n.ToString("N0", Invariant)))} streams. " +
                      "Each client repeats post → stream → done; its first round is a warm-up, started staggered over one reply's length; " +
                      $"then {string.Join(", ", plan.Concurrency.Select(n => $"{plan.MeasuredRounds(n)} timed rounds per client at N = {n:N0}"))}. " +
                      "Direct, bare-relay and through-Sambung runs alternate at each N. The bare relay (`BareRelay`) is this program started " +
                      "again as a second process that only passes the request to the provider and copies the stream back: the floor of the " +
                      "two extra cross-process hops any gateway has on this machine.");

        var results = new List<(Phase Direct, Phase Relay, Phase Sambung)>();
        var idle = new Dictionary<int, long>();
        var afterwards = new Dictionary<int, long>();
        foreach (var n in plan.Concurrency)
        {
            var chunks = plan.ChunksAt(n);
            var reply = Reply(chunks);
            var expected = reply.EffectiveText();
            var rounds = plan.MeasuredRounds(n);
            llm.Reset(); // the recorded requests would only grow
            llm.DefaultReply = reply;

            var directPhase = await RunPhaseAsync(new Phase("direct", n), n, rounds, StreamLength(chunks), app, ctx.Db, llm,
                (_, _, prompt, ct) => direct.CompleteAsync(prompt, expected, ct));
            await Task.Delay(plan.Settle);

            llm.Reset(); // each phase's requests carry the same prompts
            llm.DefaultReply = reply;
            var relayPhase = await RunPhaseAsync(new Phase("bare relay", n), n, rounds, StreamLength(chunks), app, ctx.Db, llm,
                (_, _, prompt, ct) => relayed.CompleteAsync(prompt, expected, ct));
            await Task.Delay(plan.Settle);

            idle[n] = app.Sample().Rss;
            llm.Reset();
            llm.DefaultReply = reply;
            var sambungPhase = await RunPhaseAsync(new Phase("Sambung", n), n, rounds, StreamLength(chunks), app, ctx.Db, llm,
                (worker, round, prompt, ct) => sambung.PostAndStreamAsync(conversations[(worker + round * n) % conversations.Count],
                    prompt, expected, ct));
            await VerifyStoredAsync(ctx, sambungPhase, expected);
            await Task.Delay(plan.Settle);
            afterwards[n] = app.Sample().Rss;
            results.Add((directPhase, relayPhase, sambungPhase));
        }

        Report(plan, results, idle, afterwards, app);
    }

    private static string Streams(int n) => n == 1 ? "1 stream" : $"{n.ToString("N0", Invariant)} streams";

    private static TimeSpan StreamLength(int chunks) => FirstTokenDelay + ChunkDelay * (chunks - 1);

    private static FakeReply Reply(int chunks) => new()
    {
        Chunks = [.. Enumerable.Range(0, chunks).Select(i => i == 0 ? "Token0" : $" token{i}")],
        FirstTokenDelay = FirstTokenDelay,
        ChunkDelay = ChunkDelay,
    };

    // Chats to post into, each with one exchange; a few at a time (setup, untimed).
    private static async Task<List<Guid>> StartConversationsAsync(SambungClient sambung, int count)
    {
        var ids = Enumerable.Range(0, count).Select(_ => Guid.CreateVersion7()).ToList();
        var failures = new ConcurrentQueue<string>();
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (id, ct) =>
        {
            try
            {
                if ((await sambung.StartConversationAsync(id, "Hello", ct)).Error is { } error) failures.Enqueue(error);
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                failures.Enqueue(Describe(e));
            }
        });
        if (!failures.IsEmpty)
            throw new BenchSetupException($"Starting the chats failed {failures.Count} times: {string.Join("; ", failures.Distinct().Take(5))}");
        return ids;
    }

    private static async Task<Phase> RunPhaseAsync(Phase phase, int n, int measuredRounds, TimeSpan streamLength, StreamingApp app, Npgsql.NpgsqlDataSource db,
        FakeLlmServer llm, Func<int, int, string, CancellationToken, Task<StreamAttempt>> once)
    {
        await using var resources = new StreamingResources(app, db, () => Volatile.Read(ref phase.Open));
        var watch = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, n).Select(worker => Task.Run(async () =>
        {
            if (n > 1) await Task.Delay(streamLength * worker / n);
            for (var round = 0; round <= measuredRounds; round++)
            {
                var open = Interlocked.Increment(ref phase.Open);
                StreamAttempt attempt;
                using (var timeout = new CancellationTokenSource(AttemptTimeout))
                {
                    try
                    {
                        var prompt = $"Message {round} of client {worker}";
                        if (round > 0) phase.Started(prompt, DateTimeOffset.UtcNow);
                        attempt = await once(worker, round, prompt, timeout.Token);
                    }
                    catch (Exception e)
                    {
                        // Counted, not thrown: one failed stream must not end the run before the others are counted.
                        attempt = StreamAttempt.Failed(Guid.Empty, Describe(e));
                    }
                    finally
                    {
                        Interlocked.Decrement(ref phase.Open);
                    }
                }
                phase.Add(attempt, measured: round > 0, open);
            }
        })).ToList();
        await Task.WhenAll(workers);
        phase.Elapsed = watch.Elapsed;
        phase.Before = resources.Start;
        phase.After = resources.Now();
        phase.Peak = resources.Peak;
        phase.Busiest = resources.Busiest;
        phase.MaxThreads = resources.MaxThreads;
        phase.MaxConnections = resources.MaxConnections;
        phase.Collect(llm.Requests);
        return phase;
    }

    // What the app stored at the end of each reply: every one completed with the whole text. Its own time to first
    // token (from the start of generation to the first chunk from the provider) is kept for the breakdown.
    private static async Task VerifyStoredAsync(BenchContext ctx, Phase phase, string expected)
    {
        var attempts = phase.Attempts.Where(a => a.Attempt.ReplyId != Guid.Empty).ToList();
        var measured = attempts.Where(a => a.Measured && a.Attempt.Error is null).Select(a => a.Attempt.ReplyId).ToHashSet();
        await using var session = ctx.Store.QuerySession();
        foreach (var batch in attempts.Select(a => a.Attempt.ReplyId).Chunk(500))
        {
            var nodes = (await session.LoadManyAsync<TreeNode>(batch)).ToDictionary(n => n.Id);
            foreach (var id in batch)
            {
                if (!nodes.TryGetValue(id, out var node)) phase.Errors.Add("the reply was not stored");
                else if (node.Status != ReplyStatus.Completed) phase.Errors.Add($"the reply ended {node.Status} ({node.ErrorKind}: {node.ErrorMessage})");
                else if (node.Text != expected) phase.Errors.Add("the stored reply differs from the provider's");
                else if (measured.Contains(id) && node.TimeToFirstToken is { } ttft) phase.AppTtft.Add(ttft);
            }
        }
    }

    private static string Describe(Exception e) => e switch
    {
        OperationCanceledException => $"no end within {AttemptTimeout.TotalMinutes:0} minutes",
        _ => $"{e.GetType().Name}: {(e.InnerException ?? e).Message}",
    };

    private static void Report(Plan plan, List<(Phase Direct, Phase Relay, Phase Sambung)> results, Dictionary<int, long> idle, Dictionary<int, long> afterwards, StreamingApp app)
    {
        Markdown.Latencies(results.SelectMany(r => new[] { r.Direct.ProviderReached, r.Direct.FirstText, r.Relay.ProviderReached, r.Relay.FirstText, r.Sambung.ProviderReached, r.Sambung.FirstText, r.Sambung.Answered, r.Sambung.Snapshot, r.Sambung.AppTtft }));
        Markdown.Line("All times from the start of the request (direct) or of the POST (Sambung), timed rounds only, errors left out. " +
                      $"The provider itself waits {Markdown.Ms(FirstTokenDelay.TotalMilliseconds)} ms before the first chunk. The SSE stream is opened " +
                      "after the POST is answered, as htmx does, and runs beside the provider's wait.");

        Markdown.Table(["streams", "direct p50", "p90", "p99", "Sambung p50", "p90", "p99", "added p50", "added p90", "added p99", "goal (at 100: p50 ≤ 1 ms, p99 ≤ 5 ms added)"],
            results.Select(r =>
            {
                var (d, s) = (r.Direct.FirstText, r.Sambung.FirstText);
                var added = new[] { 50.0, 90, 99 }.Select(p => s.Percentile(p) - d.Percentile(p)).ToArray();
                var goal = r.Sambung.Concurrency == 100
                    ? (added[0] <= 1 && added[2] <= 5 ? "met" : "not met")
                    : "";
                return (IReadOnlyList<string>)
                [
                    r.Sambung.Concurrency.ToString("N0", Invariant),
                    Markdown.Ms(d.Percentile(50)), Markdown.Ms(d.Percentile(90)), Markdown.Ms(d.Percentile(99)),
                    Markdown.Ms(s.Percentile(50)), Markdown.Ms(s.Percentile(90)), Markdown.Ms(s.Percentile(99)),
                    Markdown.Ms(added[0]), Markdown.Ms(added[1]), Markdown.Ms(added[2]),
                    goal,
                ];
            }));
        Markdown.Line("Added = Sambung's percentile minus the direct percentile at the same number of streams, in ms: a difference of two " +
                      "distributions measured in separate runs, not the p50 of per-request differences." +
                      (plan.Concurrency.Contains(100) ? "" : " (--quick: no run at 100 streams, so no verdict.)"));

        Markdown.Table(["streams", "bare relay p50", "p90", "p99", "relay added p50", "p90", "p99", "Sambung beyond the relay p50", "p90", "p99"],
            results.Select(r =>
            {
                var (d, b, s) = (r.Direct.FirstText, r.Relay.FirstText, r.Sambung.FirstText);
                double[] ps = [50, 90, 99];
                return (IReadOnlyList<string>)
                [
                    r.Sambung.Concurrency.ToString("N0", Invariant),
                    .. ps.Select(p => Markdown.Ms(b.Percentile(p))),
                    .. ps.Select(p => Markdown.Ms(b.Percentile(p) - d.Percentile(p))),
                    .. ps.Select(p => Markdown.Ms(s.Percentile(p) - b.Percentile(p))),
                ];
            }));
        Markdown.Line("The bare relay's added time is what two more loopback hops through a second process cost here, with no work at all; " +
                      "\"Sambung beyond the relay\" is what the app's own work adds on top (differences of distributions, as above).");

        Markdown.Table(["run", "wall", "requests", "errors", "streams open at a timed start (min / median)", "most open at once", "app CPU (cores)", "bench process CPU (cores)", "PostgreSQL CPU (cores)", "machine busy", "app memory (RSS) start / peak / end", "app threads (max)", "DB connections (max open / max busy)"],
            results.SelectMany(r => new[] { r.Direct, r.Relay, r.Sambung }).Select(p =>
            {
                var wall = (p.After.At - p.Before.At).TotalSeconds;
                var open = p.OpenAtMeasuredStarts();
                var busy = p.After.MachineTotal - p.Before.MachineTotal is > 0 and var total
                    ? (100.0 * (p.After.MachineBusy - p.Before.MachineBusy) / total).ToString("0", Invariant) + " %"
                    : "?";
                return (IReadOnlyList<string>)
                [
                    $"{p.Name}, {Streams(p.Concurrency)}",
                    Markdown.Seconds(p.Elapsed),
                    p.Attempts.Count.ToString("N0", Invariant),
                    p.Errors.Count.ToString("N0", Invariant),
                    open.Length == 0 ? "–" : $"{open[0]:N0} / {open[open.Length / 2]:N0}",
                    p.Busiest.Open.ToString("N0", Invariant),
                    ((p.After.AppCpu - p.Before.AppCpu).TotalSeconds / wall).ToString("0.00", Invariant),
                    ((p.After.BenchCpu - p.Before.BenchCpu).TotalSeconds / wall).ToString("0.00", Invariant),
                    ((p.After.PostgresCpu - p.Before.PostgresCpu).TotalSeconds / wall).ToString("0.00", Invariant),
                    busy,
                    $"{Markdown.Megabytes(p.Before.AppRss)} / {Markdown.Megabytes(p.Peak.Rss)} / {Markdown.Megabytes(p.After.AppRss)}",
                    p.MaxThreads.ToString("N0", Invariant),
                    $"{p.MaxConnections.Open} / {p.MaxConnections.Active}",
                ];
            }));
        Markdown.Line($"CPU is CPU time over wall time ({Environment.ProcessorCount} cores visible); the bench process is the clients and the fake provider; " +
                      "PostgreSQL CPU sums its processes (a backend that exited meanwhile is missed); \"machine busy\" is all cores, other work on the machine included; " +
                      "DB connections are those to the bench database (the app's pool allows 100), sampled every second. Streams open counts requests in flight on the client side " +
                      "(from the start of the request or POST to the end of its stream), sampled every 250 ms for \"most open at once\".");

        var (_, _, top) = results[^1];
        var (peak, busiest) = (top.Peak, top.Busiest);
        var perStream = busiest.Open > 0 ? (peak.Rss - idle[top.Concurrency]) / busiest.Open : 0;
        Markdown.Table(["app memory at " + top.Concurrency.ToString("N0", Invariant) + " streams", "value"],
        [
            ["resident, idle just before (after the direct run)", Markdown.Megabytes(idle[top.Concurrency])],
            [$"resident when the most streams were open ({busiest.Open:N0})", Markdown.Megabytes(busiest.Rss)],
            [$"resident, peak (reached with {peak.Open:N0} streams open: the GC keeps what it grew)", Markdown.Megabytes(peak.Rss)],
            [$"resident, {plan.Settle.TotalSeconds:0} s after the last stream ended", Markdown.Megabytes(afterwards[top.Concurrency])],
            [$"per open stream: (peak − idle) / {busiest.Open:N0}", Markdown.Megabytes(perStream)],
        ]);
        var errors = results.SelectMany(r => new[] { r.Direct, r.Relay, r.Sambung }).Where(p => p.Concurrency == top.Concurrency).Sum(p => p.Errors.Count);
        Markdown.Line($"Errors at {top.Concurrency:N0} concurrent streams: {errors} (every stream must end with `done`, its streamed text must add up to the " +
                      "provider's reply, and the app must have stored the reply as completed with that text). Resident memory includes what the " +
                      "server GC keeps after collecting, so per stream is an upper bound, not the size of a stream's objects.");

        var problems = results.SelectMany(r => new[] { r.Direct, r.Relay, r.Sambung }).SelectMany(p => p.Errors.Select(e => $"{p.Name}, {Streams(p.Concurrency)}: {e}"))
            .GroupBy(e => e).Select(g => $"{g.Count()} × {g.Key}").ToList();
        if (problems.Count > 0)
        {
            Markdown.Line("Errors:");
            Markdown.Code(problems.Take(20));
        }

        // Warnings and errors the app logged (a reply that failed or could not be stored logs one).
        var log = app.Output;
        var logged = log.Select((line, i) => (line, i))
            .Where(x => x.line.StartsWith("warn:") || x.line.StartsWith("fail:") || x.line.StartsWith("crit:"))
            .Select(x => x.line + (x.i + 1 < log.Count ? " " + log[x.i + 1].Trim() : ""))
            .ToList();
        Markdown.Line($"The app logged {logged.Count} warnings or errors during the run.");
        if (logged.Count > 0) Markdown.Code(logged.GroupBy(l => l).Select(g => $"{g.Count()} × {g.Key}").Take(10));
    }
}
