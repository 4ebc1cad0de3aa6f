using System.Diagnostics;
using Marten;
using Sambung.FakeProviders;
using Sambung.Projections;
using Sambung.Projections.Usage;
using Sambung.Web.Features.Accounts;

namespace Sambung.Benchmarks;

// The usage dashboards over a year of one heavy user's usage (1,000,000 usage events' worth of UsageDay and
// UsageChatDay documents, bulk-inserted with COPY rather than replayed) and 1,000 other users' last 90 days, served
// by the app as a process; then the rebuild rate of the two usage projections over real events.
public static class UsageBenchmark
{
    private static readonly TimeSpan BudgetPerCase = TimeSpan.FromMinutes(1);
    private static readonly string[] Models = ["gpt-4o", "gpt-4o-mini", "claude-sonnet-4-5", "gemini-2.5-flash", "llama-3.3-70b-versatile", "local-llama"];

    public static async Task RunAsync(BenchContext ctx)
    {
        Markdown.Heading(2, "usage");
        var rebuild = await RebuildAsync(ctx);

        await using var llm = await FakeLlmServer.StartAsync();
        await using var app = await StreamingApp.StartAsync(ctx.ConnectionString, llm.OpenAIBaseUrl);
        var email = $"bench-{Guid.NewGuid():N}@example.com";
        using var client = await SambungClient.RegisterAsync(app.BaseUrl, email); // the first account: an admin
        var owner = await ctx.ScalarAsync<string>($"select id from {SambungStore.Schema}.mt_doc_sambunguser where data->>'Email' = $1", email);

        var watch = Stopwatch.StartNew();
        var (events, chatDays, heavy) = await SeedHeavyUserAsync(ctx, owner);
        var (others, otherDays) = await SeedOtherUsersAsync(ctx);
        // The instance's day × model documents: what the projection would hold for all of it. The app's daemon has
        // projected the rebuild part's events already (waited for), so they are summed from every UsageDay there is
        // and written over the daemon's.
        await CaughtUpAsync(ctx);
        List<UsageDay> everyDay;
        await using (var session = ctx.Store.QuerySession()) everyDay = [.. await session.Query<UsageDay>().ToListAsync()];
        var instanceDays = InstanceDays(everyDay);
        await ctx.Store.BulkInsertDocumentsAsync(instanceDays, Weasel.Core.BulkInsertMode.OverwriteExisting, batchSize: 10_000);
        foreach (var table in new[] { typeof(UsageDay), typeof(UsageChatDay), typeof(UsageModelDay) }.Select(t => ctx.Store.Options.For(t)))
            await ctx.ExecAsync($"vacuum analyze {table}");
        // The seeding's writes flushed before the timing starts, so the first case does not pay for them.
        await ctx.ExecAsync("checkpoint");
        await Task.Delay(TimeSpan.FromSeconds(5));
        var days = heavy.Count;
        Markdown.Table(["data", "rows"],
        [
            ["usage events the heavy user's documents stand for (requests + completions + failures)", Markdown.Number(events)],
            ["… as UsageDay documents (day × model)", Markdown.Number(days)],
            ["… as UsageChatDay documents (chat × day × model)", Markdown.Number(chatDays)],
            ["UsageDay documents of 1,000 other users (last 90 days)", Markdown.Number(others)],
            ["UsageModelDay documents (the instance's day × model)", Markdown.Number(instanceDays.Count)],
            ["seeding (COPY through Marten's bulk insert)", Markdown.Seconds(watch.Elapsed)],
        ]);

        var cases = new (string Name, string Url)[]
        {
            ("GET /usage (last 30 days)", "/usage?range=30"),
            ("GET /usage (last 90 days, by week)", "/usage?range=90&group=week"),
            ("GET /usage (a year, by month, what-if on gpt-4o)", $"/usage?range=custom&from={DateTime.UtcNow.AddDays(-364):yyyy-MM-dd}&to={DateTime.UtcNow:yyyy-MM-dd}&group=month&whatif=gpt-4o"),
            ("GET /usage/models (90 days, two models)", "/usage/models?range=90&model=openai/gpt-4o&model=openai/gpt-4o-mini"),
            ("GET /usage?handler=Export&format=csv (30 days, every chat)", "/usage?handler=Export&format=csv&range=30"),
            ("GET /admin/usage (1,001 users, last 30 days)", "/admin/usage?range=30"),
            ("GET /admin/usage (1,001 users, last 7 days)", "/admin/usage?range=7"),
        };
        var all = new List<Samples>();
        foreach (var (name, url) in cases)
        {
            var budget = Stopwatch.StartNew();
            for (var i = 0; i < ctx.Sizes.WorkspaceWarmup && budget.Elapsed < BudgetPerCase / 4; i++) await client.GetAsync(url);
            var samples = new Samples(name);
            budget.Restart();
            while (samples.Count < ctx.Sizes.WorkspaceRuns && (budget.Elapsed < BudgetPerCase || samples.Count < 10))
                samples.Add(await Timing.TimeAsync(() => client.GetAsync(url)));
            all.Add(samples);
        }
        Markdown.Latencies(all.Take(5), goal: "p50 ≤ 50 ms (the personal dashboard)");
        Markdown.Latencies(all.Skip(5), goal: "p50 ≤ 200 ms (the instance dashboard, 1,000 users)");
        Markdown.Line(rebuild);
    }

    // The heavy user: 5,000 chats over the last 365 days, each active on about a dozen days with one or two models;
    // the UsageDay documents are the sums of the chat days, so both read models agree as the projections would.
    private static async Task<(long Events, int ChatDays, List<UsageDay> Days)> SeedHeavyUserAsync(BenchContext ctx, string owner)
    {
        var target = ctx.Quick ? 50_000L : 1_000_000L;
        var chats = ctx.Quick ? 250 : 5_000;
        var random = new Random(42);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var slots = new List<(Guid Chat, DateOnly Day, string Model)>();
        for (var c = 0; c < chats; c++)
        {
            var chat = Guid.CreateVersion7();
            var first = today.AddDays(-random.Next(0, 365));
            for (var d = 0; d < 12; d++)
            {
                var day = first.AddDays(d * random.Next(1, 4));
                if (day > today) break;
                slots.Add((chat, day, Models[random.Next(Models.Length)]));
                if (random.Next(3) == 0) slots.Add((chat, day, Models[random.Next(Models.Length)]));
            }
        }
        slots = slots.Distinct().ToList();
        // Each slot's requests, so that requests + completions + failures add up to the target.
        var perSlot = target / 2.0 / slots.Count;
        long events = 0;
        var chatDays = new List<UsageChatDay>(slots.Count);
        foreach (var (chat, day, model) in slots)
        {
            var requests = Math.Max(1, (int)Math.Round(perSlot * (0.5 + random.NextDouble())));
            var failed = random.Next(20) == 0 ? 1 : 0;
            var provider = model.StartsWith("claude") ? "anthropic" : model.StartsWith("gemini") ? "gemini" : model.StartsWith("llama-") ? "groq" : model == "local-llama" ? "ollama" : "openai";
            chatDays.Add(new UsageChatDay
            {
                Id = $"{owner}|{chat:N}|{day:yyyy-MM-dd}|{provider}|{model}", OwnerId = owner, ConversationId = chat, Day = day,
                Provider = provider, Model = model, Requests = requests, Completed = requests - failed, Failed = failed,
                InputTokens = requests * (long)random.Next(200, 4_000), OutputTokens = requests * (long)random.Next(50, 1_500),
            });
            events += 2L * requests;
        }
        var days = chatDays.GroupBy(c => (c.Day, c.Provider, c.Model)).Select(g =>
        {
            var (requests, failed) = (g.Sum(c => c.Requests), g.Sum(c => c.Failed));
            int[]? histogram = null;
            for (var i = 0; i < Math.Min(requests - failed, 200); i++) histogram = LatencyHistogram.Add(histogram, 100 + random.Next(0, 3_000));
            return new UsageDay
            {
                Id = $"{owner}|{g.Key.Day:yyyy-MM-dd}|{g.Key.Provider}|{g.Key.Model}", OwnerId = owner, Day = g.Key.Day, Provider = g.Key.Provider, Model = g.Key.Model,
                Requests = requests, Completed = requests - failed, Failed = failed,
                InputTokens = g.Sum(c => c.InputTokens), OutputTokens = g.Sum(c => c.OutputTokens),
                TimeToFirstTokenCount = requests - failed, TimeToFirstTokenTotalMs = 900.0 * (requests - failed), TimeToFirstTokenHistogram = histogram,
                TimedOutputTokens = g.Sum(c => c.OutputTokens), GenerationMs = g.Sum(c => c.OutputTokens) * 12.0, Fallbacks = failed,
            };
        }).ToList();
        await ctx.Store.BulkInsertDocumentsAsync(chatDays, batchSize: 10_000);
        await ctx.Store.BulkInsertDocumentsAsync(days, batchSize: 10_000);
        return (events, chatDays.Count, days);
    }

    // Until the app's daemon has counted every event in the usage projections (at most a minute).
    private static async Task CaughtUpAsync(BenchContext ctx)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromMinutes(1))
        {
            var behind = await ctx.ScalarAsync<long>(
                $"select count(*) from {SambungStore.Schema}.mt_event_progression where name in ('UsageDay:V2:All', 'UsageModelDay:All') " +
                $"and last_seq_id >= (select max(seq_id) from {SambungStore.Schema}.mt_events)");
            if (behind == 2) return;
            await Task.Delay(250);
        }
        throw new BenchSetupException("The app's daemon did not catch up with the usage events within a minute.");
    }

    // What UsageModelDayProjection would hold for these documents: every owner's day × model summed.
    private static List<UsageModelDay> InstanceDays(IEnumerable<UsageDay> days) => days.GroupBy(d => (d.Day, d.Provider, d.Model)).Select(g => new UsageModelDay
    {
        Id = $"{g.Key.Day:yyyy-MM-dd}|{g.Key.Provider}|{g.Key.Model}", Day = g.Key.Day, Provider = g.Key.Provider, Model = g.Key.Model,
        Requests = g.Sum(d => d.Requests), Completed = g.Sum(d => d.Completed), Failed = g.Sum(d => d.Failed), Stopped = g.Sum(d => d.Stopped),
        InputTokens = g.Sum(d => d.InputTokens), OutputTokens = g.Sum(d => d.OutputTokens),
        TimeToFirstTokenCount = g.Sum(d => d.TimeToFirstTokenCount), TimeToFirstTokenTotalMs = g.Sum(d => d.TimeToFirstTokenTotalMs),
        TimeToFirstTokenHistogram = LatencyHistogram.Sum(g.Select(d => d.TimeToFirstTokenHistogram)),
        TimedOutputTokens = g.Sum(d => d.TimedOutputTokens), GenerationMs = g.Sum(d => d.GenerationMs), Fallbacks = g.Sum(d => d.Fallbacks),
    }).ToList();

    // 1,000 other users, each active on about a third of the last 90 days with one or two models.
    private static async Task<(int Count, List<UsageDay> Days)> SeedOtherUsersAsync(BenchContext ctx)
    {
        var users = ctx.Quick ? 100 : 1_000;
        var random = new Random(7);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var docs = new List<UsageDay>();
        var accounts = new List<SambungUser>();
        for (var u = 0; u < users; u++)
        {
            var id = $"bench-usage-user-{u}";
            accounts.Add(new SambungUser
            {
                Id = id, UserName = $"user{u}@example.com", Email = $"user{u}@example.com", DisplayName = $"User {u}",
                // As the account store writes them: the unique indexes on these refuse a second empty value.
                NormalizedUserName = $"USER{u}@EXAMPLE.COM", NormalizedEmail = $"USER{u}@EXAMPLE.COM",
            });
            for (var d = 0; d < 90; d++)
            {
                if (random.Next(3) != 0) continue;
                foreach (var model in Models.Take(random.Next(1, 3)))
                {
                    var requests = random.Next(1, 40);
                    docs.Add(new UsageDay
                    {
                        Id = $"{id}|{today.AddDays(-d):yyyy-MM-dd}|openai|{model}", OwnerId = id, Day = today.AddDays(-d), Provider = "openai", Model = model,
                        Requests = requests, Completed = requests, InputTokens = requests * 1_500L, OutputTokens = requests * 400L,
                        TimeToFirstTokenCount = requests, TimeToFirstTokenTotalMs = 700.0 * requests,
                        TimeToFirstTokenHistogram = LatencyHistogram.Add(null, 700),
                    });
                }
            }
        }
        await ctx.Store.BulkInsertDocumentsAsync(accounts);
        await ctx.Store.BulkInsertDocumentsAsync(docs, batchSize: 10_000);
        return (docs.Count, docs);
    }

    // Real events (conversations of exchanges written through the decisions, inline projections on), then the three
    // usage projections rebuilt from zero, one after the other, as the app's daemon would.
    private static async Task<string> RebuildAsync(BenchContext ctx)
    {
        var conversations = ctx.Quick ? 50 : 1_000;
        var exchanges = ctx.Quick ? 10 : 30;
        var text = ctx.Text(3);
        var start = DateTimeOffset.UtcNow.AddDays(-60);
        var generate = Stopwatch.StartNew();
        for (var first = 0; first < conversations; first += 50)
        {
            var scripts = Enumerable.Range(first, Math.Min(50, conversations - first))
                .Select(c => ScriptedConversation.Start(Guid.CreateVersion7(), $"bench-usage-rebuild-{c % 20}", text.Message(), text.Message(), start.AddHours(c))).ToList();
            for (var round = 0; round < exchanges; round++)
            {
                await using var session = ctx.Store.LightweightSession();
                foreach (var script in scripts)
                {
                    script.Exchange(text.Message(), text.Message(), start.AddHours(round * 2));
                    script.Flush(session);
                }
                await session.SaveChangesAsync();
            }
        }
        generate.Stop();
        var total = await ctx.ScalarAsync<long>($"select count(*) from {SambungStore.Schema}.mt_events");
        var usageEvents = await ctx.ScalarAsync<long>(
            $"select count(*) from {SambungStore.Schema}.mt_events where type in ('reply_requested', 'reply_completed', 'reply_failed', 'reply_stopped', 'fallback_taken')");
        var times = new List<(string Name, TimeSpan Time)>();
        using (var daemon = await ctx.Store.BuildProjectionDaemonAsync())
            foreach (var name in new[] { "UsageDay", "UsageChatDay", "UsageModelDay" })
                times.Add((name, await Timing.TimeAsync(() => daemon.RebuildProjectionAsync(name, TimeSpan.FromMinutes(30), CancellationToken.None))));
        var rows = times.Select(t => (IReadOnlyList<string>)[t.Name, Markdown.Seconds(t.Time), Markdown.Number(total / t.Time.TotalSeconds), Markdown.Number(usageEvents / t.Time.TotalSeconds)]);
        Markdown.Line($"Rebuild: {total:N0} events in the store ({usageEvents:N0} of them usage events: requested, completed, failed, stopped, fallback), " +
                      $"written in {Markdown.Seconds(generate.Elapsed)} through the decisions with the inline projections on.");
        Markdown.Table(["projection", "rebuild from zero", "events/s (all events)", "usage events/s"], rows);
        return $"_(The rebuild figures above were measured before the app started, on the {total:N0} events only; the dashboards' documents were bulk-inserted, not replayed.)_";
    }
}
