using System.Net;
using System.Text.Json;
using Alba;
using Marten;
using Marten.Events;
using Sambung.Events.Conversations;
using Sambung.Events.Pricing;
using Sambung.IntegrationTests.Support;
using Sambung.Projections.Usage;
using Sambung.Web.Features.Analytics;
using Sambung.Web.Features.Providers;
using Sambung.Web.Infrastructure;
using Wolverine;

namespace Sambung.IntegrationTests;

// By chat, model performance, dated prices and budgets, each checked against the raw events.
public sealed class UsageAnalyticsTests(AppFixture app) : AppTest(app)
{
    private const string Owner = Conversations.Owner;
    private const string Other = "someone-else";
    private static readonly ModelRef Backup = new("groq", "backup-llama");

    private async Task PriceAsync(string model, decimal input, decimal output) =>
        await Host.Services.GetRequiredService<ModelCatalogue>().SaveAsync(new ModelInfo(model, InputPrice: input, OutputPrice: output), default);

    private async Task<JsonElement> ExportJsonAsync(string url)
    {
        var result = await Host.Scenario(s =>
        {
            s.Get.Url(url);
            s.ContentTypeShouldBe("application/json");
        });
        return JsonDocument.Parse(await result.ReadAsTextAsync()).RootElement.Clone();
    }

    private async Task<List<JasperFx.Events.IEvent>> RawEventsAsync()
    {
        await using var session = Store.QuerySession();
        return (await session.Events.QueryAllRawEvents().ToListAsync()).ToList();
    }

    private Task CaughtUpAsync() => Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));

    [Fact]
    public async Task by_chat_sums_each_chats_raw_events_most_expensive_first_and_shows_deleted_chats_as_deleted()
    {
        await PriceAsync(Conversations.Model.Model, 2m, 8m);
        var mine = new Conversations(Host);
        var random = new Random(3);
        var ids = new List<Guid>();
        foreach (var title in new[] { "Cheap chat", "Dear chat", "Gone chat" })
        {
            var (id, _, reply) = await mine.StartAsync(title);
            await mine.CompleteAsync(id, reply, "a", random.Next(10, 3_000), random.Next(10, 3_000));
            var (_, next) = await mine.PostAsync(id, "more");
            if (title == "Dear chat") await mine.CompleteAsync(id, next, "b", 100_000, 50_000);
            else await mine.AppliedAsync(new FailReply(id, next, "rate-limited", "slow down", ""));
            ids.Add(id);
        }
        await mine.AppliedAsync(new DeleteConversation(ids[2], Owner));
        var theirs = new Conversations(Host, Other);
        var (hidden, _, theirReply) = await theirs.StartAsync("Their secret chat");
        await theirs.CompleteAsync(hidden, theirReply, "x", 9_999_999, 1);
        await CaughtUpAsync();

        var json = await ExportJsonAsync("/usage?handler=Export&format=json&range=7");
        var chats = json.GetProperty("chats").EnumerateArray().ToList();

        var raw = await RawEventsAsync();
        Assert.Equal(3, chats.Count); // someone else's chat is not listed
        Assert.DoesNotContain(chats, c => c.GetProperty("id").GetGuid() == hidden);
        Assert.Equal("Dear chat", chats[0].GetProperty("title").GetString());
        foreach (var chat in chats)
        {
            var id = chat.GetProperty("id").GetGuid();
            var events = raw.Where(e => e.StreamId == id).Select(e => e.Data).ToList();
            var completed = events.OfType<ReplyCompleted>().ToList();
            var (input, output) = (completed.Sum(c => c.Usage.InputTokens), completed.Sum(c => c.Usage.OutputTokens));
            Assert.Equal((events.OfType<ReplyRequested>().Count(), events.OfType<ReplyFailed>().Count(), input, output, (input * 2m + output * 8m) / 1_000_000m),
                (chat.GetProperty("requests").GetInt32(), chat.GetProperty("errors").GetInt32(), chat.GetProperty("inputTokens").GetInt64(),
                 chat.GetProperty("outputTokens").GetInt64(), chat.GetProperty("cost").GetDecimal()));
        }
        var costs = chats.Select(c => c.GetProperty("cost").GetDecimal()).ToList();
        Assert.Equal(costs.OrderDescending(), costs);
        var gone = chats.Single(c => c.GetProperty("id").GetGuid() == ids[2]);
        Assert.True(gone.GetProperty("deleted").GetBoolean());
        Assert.Equal(JsonValueKind.Null, gone.GetProperty("title").ValueKind);
        // The chats add up to the dashboard's totals.
        Assert.Equal(json.GetProperty("totals").GetProperty("cost").GetDecimal(), costs.Sum());

        var page = await Host.GetAsText("/usage?range=7");
        Assert.Contains("id=\"usage-chats\"", page);
        Assert.Contains($"<a href=\"/c/{ids[1]}\">Dear chat</a>", page);
        Assert.Contains("Deleted chat", page);
        Assert.DoesNotContain("Gone chat", page);
        Assert.DoesNotContain("Their secret chat", page);
        var csv = await Host.GetAsText("/usage?handler=Export&format=csv&range=7");
        Assert.Equal(3, csv.Split("\r\n").Count(l => l.StartsWith("chat,")));
    }

    [Fact]
    public async Task model_performance_matches_the_raw_replies_and_the_comparison_shows_two_models_side_by_side()
    {
        var chats = new Conversations(Host);
        var random = new Random(5);
        for (var i = 0; i < 12; i++)
        {
            var (id, _, reply) = await chats.StartAsync($"Q{i}");
            if (i % 4 == 0) await chats.AppliedAsync(new TakeFallback(id, reply, Backup, "rate-limited"));
            if (i % 5 == 4) { await chats.AppliedAsync(new FailReply(id, reply, "server", "boom", "")); continue; }
            await chats.AppliedAsync(new CompleteReply(id, reply, "answer", "stop", new TokenUsage(random.Next(10, 500), random.Next(50, 900)),
                TimeSpan.FromMilliseconds(random.Next(40, 4_000)), TimeSpan.FromMilliseconds(random.Next(4_000, 20_000)), "fake"));
        }
        var other = new Conversations(Host, Other);
        var (theirs, _, theirReply) = await other.StartAsync("not mine");
        await other.AppliedAsync(new TakeFallback(theirs, theirReply, new ModelRef("x", "their-own-model"), "down"));
        await CaughtUpAsync();

        var json = await ExportJsonAsync("/usage?handler=Export&format=json&range=7");
        var performance = json.GetProperty("performance").EnumerateArray().ToDictionary(p => p.GetProperty("model").GetString()!);
        Assert.Equal(["backup-llama", "fake-gpt"], performance.Keys.Order());

        var raw = (await RawEventsAsync()).Select(e => e.Data).ToList();
        var mineRaw = raw.Where(e => e is not ReplyRequested r || r.By == Owner).ToList();
        foreach (var model in new[] { Conversations.Model, Backup })
        {
            var p = performance[model.Model];
            var requests = raw.OfType<ReplyRequested>().Count(r => r.By == Owner && r.Model == model);
            var fallbacks = raw.OfType<FallbackTaken>().Count(f => f.OwnerId == Owner && f.From == model);
            var failed = raw.OfType<ReplyFailed>().Count(f => f.OwnerId == Owner && f.Model == model);
            var completed = raw.OfType<ReplyCompleted>().Where(c => c.OwnerId == Owner && c.Model == model).ToList();
            Assert.Equal(requests, p.GetProperty("requests").GetInt32());
            Assert.Equal(failed, p.GetProperty("errors").GetInt32());
            Assert.Equal(fallbacks, p.GetProperty("fallbacks").GetInt32());
            if (requests > 0) Assert.Equal((double)fallbacks / requests, p.GetProperty("fallbackRate").GetDouble(), 9);
            if (completed.Count == 0) continue;
            var speed = completed.Sum(c => c.Usage.OutputTokens) / (completed.Sum(c => (c.Duration - c.TimeToFirstToken!.Value).TotalMilliseconds) / 1000);
            Assert.Equal(speed, p.GetProperty("outputTokensPerSecond").GetDouble(), 6);
            Assert.Equal(completed.Average(c => (double)c.Usage.OutputTokens), p.GetProperty("averageReplyTokens").GetDouble(), 6);
            var ttfts = completed.Select(c => c.TimeToFirstToken!.Value.TotalMilliseconds).Order().ToList();
            var median = ttfts[(int)Math.Ceiling(0.5 * ttfts.Count) - 1];
            Assert.InRange(p.GetProperty("timeToFirstTokenP50Ms").GetDouble(), median / LatencyHistogram.Ratio, median * LatencyHistogram.Ratio);
            var p95 = ttfts[(int)Math.Ceiling(0.95 * ttfts.Count) - 1];
            Assert.InRange(p.GetProperty("timeToFirstTokenP95Ms").GetDouble(), p95 / LatencyHistogram.Ratio, p95 * LatencyHistogram.Ratio);
        }

        var dashboard = await Host.GetAsText("/usage?range=7");
        Assert.Contains("id=\"usage-performance\"", dashboard);
        Assert.Contains("href=\"/usage/models?range=7\"", dashboard);

        var compare = await Host.GetAsText("/usage/models?range=7&model=openai/fake-gpt&model=groq/backup-llama");
        Assert.Contains("id=\"usage-compare\"", compare);
        Assert.Matches("<th scope=\"col\">openai/fake-gpt</th>\\s*<th scope=\"col\">groq/backup-llama</th>", compare);
        Assert.DoesNotContain("their-own-model", compare); // only your own models to choose from
        var one = await Host.GetAsText("/usage/models?range=7&model=openai/fake-gpt");
        Assert.Contains("Choose 2 to 4 models to compare; you chose 1.", one);
        Assert.DoesNotContain("id=\"usage-compare\"", one);
        var exported = await ExportJsonAsync("/usage/models?handler=Export&format=json&range=7&model=openai/fake-gpt&model=groq/backup-llama");
        Assert.Equal(2, exported.GetProperty("models").GetArrayLength());
    }

    [Fact]
    public async Task a_price_dated_in_the_past_re_prices_that_history_at_once_and_what_if_prices_the_period_on_another_model()
    {
        await PriceAsync(Conversations.Model.Model, 1m, 2m);
        await PriceAsync("other-model", 10m, 20m);
        var (old, message, _) = await new Conversations(Host).ExchangeAsync("today", "answer"); // 10 in, 5 out today
        await using (var session = Store.LightweightSession())
        {
            var (node, at) = (Guid.CreateVersion7(), DateTimeOffset.UtcNow.AddDays(-10));
            session.Events.Append(old,
                new ReplyRequested(node, message, Conversations.Model, new GenerationParameters(), new PromptContext(message, 1, null), Owner, at),
                new ReplyCompleted(node, "then", "stop", new TokenUsage(1_000_000, 1_000_000), TimeSpan.FromMilliseconds(80), TimeSpan.FromSeconds(2),
                    "fake", at.AddSeconds(1), Owner, Conversations.Model));
            await session.SaveChangesAsync();
        }
        await CaughtUpAsync();
        decimal Cost(JsonElement j) => j.GetProperty("totals").GetProperty("cost").GetDecimal();
        const decimal today = (10 * 1m + 5 * 2m) / 1_000_000m;

        Assert.Equal(3m + today, Cost(await ExportJsonAsync("/usage?handler=Export&format=json&range=30")));

        // From five days ago the model costs 100/200: today's reply is re-priced, the one of ten days ago keeps the old price.
        var prices = Host.Services.GetRequiredService<ModelPrices>();
        var fiveDaysAgo = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-5);
        Assert.Null(await prices.SetAsync(new SetModelPrice(Conversations.Model.Model, 100m, 200m, fiveDaysAgo, Owner), default));
        Assert.Equal(3m + today * 100, Cost(await ExportJsonAsync("/usage?handler=Export&format=json&range=30")));
        // A price dated before both re-prices both.
        Assert.Null(await prices.SetAsync(new SetModelPrice(Conversations.Model.Model, 0.5m, 0.5m, fiveDaysAgo.AddDays(-30), Owner), default));
        Assert.Equal(1m + today * 100, Cost(await ExportJsonAsync("/usage?handler=Export&format=json&range=30")));
        Assert.Equal("InvalidPrice", await prices.SetAsync(new SetModelPrice("", 1m, 1m, fiveDaysAgo, Owner), default));

        var whatIf = (await ExportJsonAsync("/usage?handler=Export&format=json&range=30&whatif=other-model")).GetProperty("whatIf");
        Assert.Equal((1_000_010 * 10m + 1_000_005 * 20m) / 1_000_000m, whatIf.GetProperty("cost").GetDecimal());
        var page = await Host.GetAsText("/usage?range=30&whatif=other-model");
        Assert.Contains("id=\"usage-whatif-result\"", page);
        Assert.Contains("On other-model, this period", page);
        Assert.Contains("whatif,,,other-model,", await Host.GetAsText("/usage?handler=Export&format=csv&range=30&whatif=other-model"));
    }

    [Fact]
    public async Task a_fork_copies_replies_without_counting_them_again()
    {
        var chats = new Conversations(Host);
        var (id, _, reply) = await chats.StartAsync("Count me once");
        await chats.CompleteAsync(id, reply, "Once", 100, 40);
        var (_, failing) = await chats.PostAsync(id, "And this fails");
        await chats.AppliedAsync(new FailReply(id, failing, "rate-limited", "slow down", ""));
        await CaughtUpAsync();
        async Task<(int, int, int, long, long, int)> FiguresAsync()
        {
            await using var session = Store.QuerySession();
            var days = await session.Query<UsageDay>().Where(d => d.OwnerId == Owner).ToListAsync();
            var chatDays = await session.Query<UsageChatDay>().Where(d => d.OwnerId == Owner).ToListAsync();
            var instance = await session.Query<UsageModelDay>().ToListAsync();
            return (days.Sum(d => d.Requests), days.Sum(d => d.Completed), days.Sum(d => d.Failed), days.Sum(d => d.OutputTokens),
                instance.Sum(d => (long)d.Requests), chatDays.Sum(d => d.Requests));
        }
        var before = await FiguresAsync();
        Assert.Equal((2, 1, 1, 40L, 2L, 2), before);

        var fork = Guid.CreateVersion7();
        var forked = await Host.MessageBus().InvokeAsync<Sambung.Web.Features.Chats.CommandResult>(new ForkConversation(fork, id, failing, Owner));
        Assert.True(forked.Succeeded);
        await CaughtUpAsync();

        Assert.Equal(before, await FiguresAsync());
        await using var check = Store.QuerySession();
        Assert.All((await check.Events.FetchStreamAsync(fork)).Select(e => e.Data).OfType<ReplyRequested>(), r => Assert.True(r.Copy));
    }

    [Fact]
    public async Task rebuilding_the_usage_projections_from_zero_gives_identical_documents()
    {
        var chats = new Conversations(Host);
        for (var i = 0; i < 3; i++)
        {
            var (id, _, reply) = await chats.StartAsync($"Q{i}");
            if (i == 1) await chats.AppliedAsync(new TakeFallback(id, reply, Backup, "down"));
            await chats.CompleteAsync(id, reply, "a", 10 * (i + 1), 20 * (i + 1));
        }
        await CaughtUpAsync();
        async Task<List<string>> DocumentsAsync()
        {
            await using var session = Store.QuerySession();
            return (await session.Query<UsageDay>().ToListAsync()).Select(d => JsonSerializer.Serialize(d))
                .Concat((await session.Query<UsageChatDay>().ToListAsync()).Select(d => JsonSerializer.Serialize(d)))
                .Concat((await session.Query<UsageModelDay>().ToListAsync()).Select(d => JsonSerializer.Serialize(d)))
                .Order(StringComparer.Ordinal).ToList();
        }
        var before = await DocumentsAsync();
        // The instance's day × model documents are every owner's summed: the two dashboards cannot disagree.
        await using (var session = Store.QuerySession())
        {
            var owners = await session.Query<UsageDay>().ToListAsync();
            var instance = await session.Query<UsageModelDay>().ToListAsync();
            Assert.NotEmpty(instance);
            foreach (var day in instance)
            {
                var same = owners.Where(d => (d.Day, d.Provider, d.Model) == (day.Day, day.Provider, day.Model)).ToList();
                Assert.Equal((same.Sum(d => d.Requests), same.Sum(d => d.InputTokens), same.Sum(d => d.OutputTokens), same.Sum(d => d.Fallbacks),
                        string.Join(',', LatencyHistogram.Sum(same.Select(d => d.TimeToFirstTokenHistogram)))),
                    (day.Requests, day.InputTokens, day.OutputTokens, day.Fallbacks, string.Join(',', LatencyHistogram.Sum([day.TimeToFirstTokenHistogram]))));
            }
        }
        Assert.Contains(before, d => d.Contains("\"Fallbacks\":1") && d.Contains("\"TimeToFirstTokenHistogram\":[0"));
        // One per chat, and one more for the chat whose reply the backup model finished.
        Assert.Equal(4, before.Count(d => d.Contains("\"ConversationId\"")));

        await Host.Services.GetRequiredService<ProjectionRebuilder>().RebuildAllAsync(default);

        Assert.Equal(before, await DocumentsAsync());
    }

    [Fact]
    public async Task over_budget_a_new_message_is_refused_with_a_message_nothing_is_appended_and_the_text_stays()
    {
        var budgets = Host.Services.GetRequiredService<Budgets>();
        var chats = new Conversations(Host);
        var (id, _, reply) = await chats.StartAsync("Hello");
        await chats.CompleteAsync(id, reply, "Hi", input: 60, output: 25); // 85 of 100 tokens
        await CaughtUpAsync();
        await budgets.SaveAsync(s => { s.Users[Owner] = new Budget(100, null); return s; }, default);

        var usage = await Host.GetAsText("/usage");
        Assert.Contains("id=\"usage-budget-warning\"", usage);
        Assert.Contains("You have used 85% of this month&#x27;s budget.", usage);
        Assert.Contains("Tokens: 85 of 100 used, 15 left.", usage);

        await chats.CompleteAsync(id, (await chats.PostAsync(id, "more")).Reply, "done", input: 10, output: 5); // 100 of 100
        await CaughtUpAsync();
        budgets.Forget();
        var before = (await chats.EventsAsync(id)).Count;

        // With htmx: the refusal above the composer (role=alert), and the page keeps what was typed (nothing to swap).
        var form = await PageForm.ReadAsync(Host, $"/c/{id}");
        var refused = await Host.Scenario(s =>
        {
            form.PostTo(s, form.With(("Text", "Please answer this too")), htmx: true);
            s.StatusCodeShouldBeOk();
        });
        var fragment = await refused.ReadAsTextAsync();
        Assert.Contains("role=\"alert\"", fragment);
        Assert.Contains("You have used this month", fragment);
        Assert.Equal("none", refused.Context.Response.Headers["HX-Reswap"].ToString());
        // Without htmx: the page again, the text still in the composer.
        var plain = await Host.Scenario(s =>
        {
            form.PostTo(s, form.With(("Text", "Please answer this too")));
            s.StatusCodeShouldBe(HttpStatusCode.UnprocessableEntity);
        });
        var html = await plain.ReadAsTextAsync();
        Assert.Contains(">Please answer this too</textarea>", html);
        Assert.Contains("You have used this month", html);
        Assert.Equal(before, (await chats.EventsAsync(id)).Count);

        // A new chat is refused the same way, and nothing starts.
        var start = await PageForm.ReadAsync(Host, "/");
        var startRefused = await Host.Scenario(s =>
        {
            start.PostTo(s, start.With(("Text", "A new question")));
            s.StatusCodeShouldBe(HttpStatusCode.UnprocessableEntity);
        });
        Assert.Contains(">A new question</textarea>", await startRefused.ReadAsTextAsync());
        Assert.Empty(await chats.EventsAsync(start.Id("ConversationId")));
        Assert.Contains("id=\"usage-budget-exhausted\"", await Host.GetAsText("/usage"));

        // Someone else (no budget of their own, no default) is not refused.
        Assert.False((await budgets.StatusAsync(Other, false, default)).Refuses);

        // Raising the budget lets the next message through.
        await budgets.SaveAsync(s => { s.Users[Owner] = new Budget(1_000, null); return s; }, default);
        var again = await PageForm.ReadAsync(Host, $"/c/{id}");
        await Host.Scenario(s =>
        {
            again.PostTo(s, again.With(("Text", "Please answer this too")));
            s.StatusCodeShouldBe(HttpStatusCode.Redirect);
        });
        Assert.True((await chats.EventsAsync(id)).Count > before);
        await Store.ForReplyToEndAsync(again.Id("ReplyId"));
    }
}
