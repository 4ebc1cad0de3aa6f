using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Alba;
using JasperFx.Events;
using Marten;
using Marten.Events;
using Sambung.Events.Conversations;
using Sambung.IntegrationTests.Support;
using Sambung.Projections.Usage;
using Sambung.Web.Features.Analytics;
using Sambung.Web.Features.Providers;
using Sambung.Web.Infrastructure;

namespace Sambung.IntegrationTests;

public sealed partial class UsageTests(AppFixture app) : AppTest(app)
{
    private const string Owner = Conversations.Owner;
    private const string Other = "someone-else";
    private static readonly decimal InputPrice = 1.50m, OutputPrice = 4.00m;

    // Replies of every outcome for two people through the app's command pipeline, and two replies written 40 and
    // 100 days ago straight into a stream (the pipeline stamps the present), so the ranges have something to leave out.
    private async Task GenerateHistoryAsync()
    {
        await Host.Services.GetRequiredService<ModelCatalogue>().SaveAsync(
            new ModelInfo(Conversations.Model.Model, InputPrice: InputPrice, OutputPrice: OutputPrice), default);
        var random = new Random(7);
        foreach (var who in new[] { Owner, Other })
        {
            var chats = new Conversations(Host, who);
            for (var c = 0; c < 3; c++)
            {
                var (id, _, reply) = await chats.StartAsync($"Question {c} from {who}");
                await chats.CompleteAsync(id, reply, "answer", random.Next(10, 5_000), random.Next(1, 2_000));
                for (var turn = 0; turn < 4; turn++)
                {
                    var (_, next) = await chats.PostAsync(id, $"Turn {turn}");
                    switch (random.Next(4))
                    {
                        case 0: await chats.AppliedAsync(new FailReply(id, next, "rate-limited", "slow down", "")); break;
                        case 1: await chats.AppliedAsync(new StopReply(id, next, "part", who)); break;
                        default: await chats.CompleteAsync(id, next, "more", random.Next(10, 5_000), random.Next(1, 2_000)); break;
                    }
                }
            }
        }
        var (old, message, _) = await new Conversations(Host).ExchangeAsync("An old chat", "Old answer");
        await using var session = Store.LightweightSession();
        foreach (var daysAgo in new[] { 40, 100 })
        {
            var (node, at) = (Guid.CreateVersion7(), DateTimeOffset.UtcNow.AddDays(-daysAgo));
            session.Events.Append(old,
                new ReplyRequested(node, message, Conversations.Model, new GenerationParameters(), new PromptContext(message, 1, null), Owner, at),
                new ReplyCompleted(node, "Back then", "stop", new TokenUsage(1_000, 500), TimeSpan.FromMilliseconds(80), TimeSpan.FromSeconds(2),
                    "fake-gpt-0001", at.AddSeconds(2), Owner, Conversations.Model));
        }
        await session.SaveChangesAsync();
        await Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));
    }

    // What the dashboard must say, summed straight from the raw events.
    private async Task<(int Requests, long Input, long Output, int Errors, decimal Cost)> RawSumsAsync(string owner, int days)
    {
        var from = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(1 - days);
        bool InRange(DateTimeOffset at) => DateOnly.FromDateTime(at.UtcDateTime) >= from;
        await using var session = Store.QuerySession();
        var events = (await session.Events.QueryAllRawEvents().ToListAsync()).Select(e => e.Data).ToList();
        var completed = events.OfType<ReplyCompleted>().Where(e => e.OwnerId == owner && InRange(e.At)).ToList();
        var (input, output) = (completed.Sum(e => e.Usage.InputTokens), completed.Sum(e => e.Usage.OutputTokens));
        return (events.OfType<ReplyRequested>().Count(e => e.By == owner && InRange(e.At)), input, output,
            events.OfType<ReplyFailed>().Count(e => e.OwnerId == owner && InRange(e.At)),
            (input * InputPrice + output * OutputPrice) / 1_000_000m);
    }

    private async Task<JsonElement> ExportJsonAsync(string query)
    {
        var result = await Host.Scenario(s =>
        {
            s.Get.Url($"/usage?handler=Export&format=json&{query}");
            s.ContentTypeShouldBe("application/json");
        });
        return JsonDocument.Parse(await result.ReadAsTextAsync()).RootElement.Clone();
    }

    [Fact]
    public async Task the_dashboard_totals_equal_sums_over_the_raw_events_for_every_range_and_grouping()
    {
        await GenerateHistoryAsync();

        foreach (var days in new[] { 7, 30, 90 })
        {
            var expected = await RawSumsAsync(Owner, days);
            foreach (var group in new[] { "day", "week", "month" })
            {
                var json = await ExportJsonAsync($"range={days}&group={group}");
                var totals = json.GetProperty("totals");
                Assert.Equal(expected, (totals.GetProperty("requests").GetInt32(), totals.GetProperty("inputTokens").GetInt64(),
                    totals.GetProperty("outputTokens").GetInt64(), totals.GetProperty("errors").GetInt32(), totals.GetProperty("cost").GetDecimal()));
                var series = json.GetProperty("series").EnumerateArray().Select(b => b.GetProperty("figures")).ToList();
                Assert.Equal(expected.Requests, series.Sum(b => b.GetProperty("requests").GetInt32()));
                Assert.Equal(expected.Output, series.Sum(b => b.GetProperty("outputTokens").GetInt64()));
            }
        }
        // The 30-day range leaves out the reply of 40 days ago, 90 days takes it, and nothing takes the one of 100.
        Assert.Equal(1, (await RawSumsAsync(Owner, 90)).Requests - (await RawSumsAsync(Owner, 30)).Requests);

        var page = await (await Host.Scenario(s => s.Get.Url("/usage?range=30"))).ReadAsTextAsync();
        var sums = await RawSumsAsync(Owner, 30);
        Assert.Equal(sums.Requests.ToString("N0"), Total(page, "requests"));
        Assert.Equal(sums.Input.ToString("N0"), Total(page, "input"));
        Assert.Equal(sums.Output.ToString("N0"), Total(page, "output"));
        Assert.Equal(sums.Errors.ToString("N0"), Total(page, "errors"));
        Assert.Equal(UsageFormat.Cost(sums.Cost), WebUtility.HtmlDecode(Total(page, "cost")));
        Assert.DoesNotContain("id=\"usage-lag\"", page); // the daemon caught up, and the page says nothing of lag
    }

    [Fact]
    public async Task rebuilding_the_usage_projection_from_zero_gives_identical_documents()
    {
        await GenerateHistoryAsync();
        var before = await UsageDocumentsAsync();
        Assert.True(before.Count >= 4);

        await Host.Services.GetRequiredService<ProjectionRebuilder>().RebuildAllAsync(default);

        Assert.Equal(before, await UsageDocumentsAsync());
    }

    [Fact]
    public async Task the_page_shows_only_your_own_usage_and_exports_it_as_csv_and_json()
    {
        var mine = new Conversations(Host);
        var (id, _, reply) = await mine.StartAsync("Mine");
        await mine.CompleteAsync(id, reply, "a", input: 1_234, output: 567);
        var theirs = new Conversations(Host, Other);
        var (other, _, otherReply) = await theirs.StartAsync("Theirs");
        await theirs.CompleteAsync(other, otherReply, "b", input: 999_999, output: 888_888);
        await Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));

        var page = await (await Host.Scenario(s => s.Get.Url("/usage"))).ReadAsTextAsync();
        Assert.Equal(("1", "1,234", "567"), (Total(page, "requests"), Total(page, "input"), Total(page, "output")));
        Assert.DoesNotContain("999,999", page);
        Assert.Contains("role=\"img\"", page);
        Assert.Contains("<caption id=\"usage-series-caption\">Usage by day</caption>", page);
        Assert.DoesNotContain("id=\"usage-users\"", page);

        var csv = await Host.Scenario(s =>
        {
            s.Get.Url("/usage?handler=Export&format=csv&range=7&group=week");
            s.ContentTypeShouldBe("text/csv");
        });
        var lines = (await csv.ReadAsTextAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(string.Join(',', UsageExport.CsvHeader), lines[0]);
        Assert.StartsWith("total,", lines[1]);
        Assert.Contains(",1,1,0,0,1234,567,", lines[1]);
        Assert.All(lines.Skip(2), l => Assert.True(l.StartsWith("week,") || l.StartsWith("model,") || l.StartsWith("chat,") || l.StartsWith("performance,"), l));
        Assert.Contains(lines, l => l.StartsWith("model,,openai,fake-gpt,"));
        Assert.Contains("attachment", csv.Context.Response.Headers.ContentDisposition.ToString());

        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var json = await ExportJsonAsync($"range=custom&from={today.AddDays(1):yyyy-MM-dd}&to={today.AddDays(-400):yyyy-MM-dd}");
        Assert.Equal(1, json.GetProperty("totals").GetProperty("requests").GetInt32());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("users").ValueKind);
    }

    [Fact]
    public async Task instance_usage_is_for_admins_only()
    {
        // The test sign-in scheme forbids with a 403 (the app's cookie scheme sends the browser to /account/denied).
        foreach (var url in new[] { "/admin/usage", "/admin/usage?handler=Export&format=json" })
            await Host.Scenario(s =>
            {
                s.Get.Url(url);
                s.StatusCodeShouldBe(HttpStatusCode.Forbidden);
            });
        var menu = await (await Host.Scenario(s => s.Get.Url("/usage"))).ReadAsTextAsync();
        Assert.Contains("<a href=\"/usage\">Usage</a>", menu);
        Assert.DoesNotContain("/admin/usage", menu);
    }

    [Fact]
    public async Task the_page_says_how_far_behind_the_usage_projection_is()
    {
        using var scope = Host.Services.CreateScope();
        var dashboard = scope.ServiceProvider.GetRequiredService<UsageDashboard>();
        await new Conversations(Host).ExchangeAsync("Hello", "Hi");
        await Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(UsageLag.None, await dashboard.LagAsync(default));

        // A projection three events behind: its recorded mark moved back (and put back after, for the daemon).
        await MoveUsageMarkAsync(-3);
        try
        {
            var lag = await dashboard.LagAsync(default);
            Assert.Equal(3, lag.EventsBehind);
            Assert.NotNull(lag.OldestPending);
            var page = await (await Host.Scenario(s => s.Get.Url("/usage"))).ReadAsTextAsync();
            Assert.Matches("id=\"usage-lag\">These figures are still catching up: the last 3 events, from the past [0-9]+ seconds", page);
        }
        finally
        {
            await MoveUsageMarkAsync(3);
        }
    }

    private async Task MoveUsageMarkAsync(int by)
    {
        await using var db = Npgsql.NpgsqlDataSource.Create(App.ConnectionString);
        await using var move = db.CreateCommand($"update {Sambung.Projections.SambungStore.Schema}.mt_event_progression set last_seq_id = last_seq_id + {by} where name like 'UsageDay:%'");
        Assert.Equal(1, await move.ExecuteNonQueryAsync());
    }

    private async Task<List<string>> UsageDocumentsAsync()
    {
        await using var session = Store.QuerySession();
        return (await session.Query<UsageDay>().ToListAsync()).OrderBy(d => d.Id, StringComparer.Ordinal)
            .Select(d => JsonSerializer.Serialize(d)).ToList();
    }

    private static string Total(string page, string name) => TotalPattern().Matches(page)
        .Single(m => m.Groups[1].Value == name).Groups[2].Value;

    [GeneratedRegex("<dd data-total=\"([a-z]+)\">([^<]*)</dd>")]
    private static partial Regex TotalPattern();
}

// The instance dashboard, with real accounts: the first one registered is the admin.
public sealed partial class InstanceUsageTests(AccountsFixture fixture) : AccountsTest(fixture)
{
    [Fact]
    public async Task an_admin_sees_every_users_usage_together_and_by_user()
    {
        var admin = NewBrowser();
        Assert.Equal(HttpStatusCode.Redirect, (await admin.RegisterAsync($"a{Guid.NewGuid():N}@example.test", name: "Ana Admin")).StatusCode);
        var adminId = (await FirstUserAsync()).Id;
        foreach (var (who, output) in new[] { (adminId, 70L), ("someone-else", 30L) })
        {
            var chats = new Conversations(Host, who);
            var (id, _, reply) = await chats.StartAsync("Hello");
            await chats.CompleteAsync(id, reply, "Hi", input: 100, output: output);
        }
        await Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));

        var page = await admin.PageAsync("/admin/usage");

        Assert.Contains("<dd data-total=\"output\">100</dd>", page);
        Assert.Contains("id=\"usage-users\"", page);
        Assert.Matches("<th scope=\"row\">Ana Admin</th><td>1</td><td>100</td><td>70</td>", page);
        Assert.Matches("<th scope=\"row\">someone-else</th><td>1</td><td>100</td><td>30</td>", page);
        Assert.Contains("<a href=\"/admin/usage\">Instance usage</a>", page);
        var csv = await (await admin.GetAsync("/admin/usage?handler=Export&format=csv")).Content.ReadAsStringAsync();
        Assert.Contains(csv.Split("\r\n"), l => l.StartsWith("user,,,,Ana Admin,1,1,0,0,100,70,"));

        var person = NewBrowser();
        await person.RegisterAsync($"p{Guid.NewGuid():N}@example.test");
        var denied = await person.GetAsync("/admin/usage");
        Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
        Assert.StartsWith("/account/denied", denied.Headers.Location!.OriginalString.Replace("http://localhost", ""));
        Assert.Contains("<dd data-total=\"requests\">0</dd>", await person.PageAsync("/usage"));
    }

    [Fact]
    public async Task the_instance_totals_and_each_users_row_equal_sums_over_the_raw_events()
    {
        var admin = NewBrowser();
        await admin.RegisterAsync($"a{Guid.NewGuid():N}@example.test", name: "Ana Admin");
        await Host.Services.GetRequiredService<ModelCatalogue>().SaveAsync(
            new ModelInfo(Conversations.Model.Model, InputPrice: 1.50m, OutputPrice: 4.00m), default);
        var random = new Random(11);
        var owners = new[] { (await FirstUserAsync()).Id, "budi", "citra" };
        foreach (var who in owners)
        {
            var chats = new Conversations(Host, who);
            for (var c = 0; c < 2 + random.Next(3); c++)
            {
                var (id, _, reply) = await chats.StartAsync($"Question {c}");
                if (random.Next(4) == 0) await chats.AppliedAsync(new FailReply(id, reply, "rate-limited", "slow down", ""));
                else await chats.CompleteAsync(id, reply, "answer", random.Next(10, 5_000), random.Next(1, 2_000));
            }
        }
        await Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));

        await using var session = Store.QuerySession();
        var events = (await session.Events.QueryAllRawEvents().ToListAsync()).Select(e => e.Data).ToList();
        (int Requests, long Input, long Output, int Errors, decimal Cost) Sums(Func<string, bool> whose)
        {
            var completed = events.OfType<ReplyCompleted>().Where(e => whose(e.OwnerId)).ToList();
            var (input, output) = (completed.Sum(e => e.Usage.InputTokens), completed.Sum(e => e.Usage.OutputTokens));
            return (events.OfType<ReplyRequested>().Count(e => whose(e.By)), input, output,
                events.OfType<ReplyFailed>().Count(e => whose(e.OwnerId)), (input * 1.50m + output * 4.00m) / 1_000_000m);
        }
        static (int, long, long, int, decimal) Figures(JsonElement e) => (e.GetProperty("requests").GetInt32(), e.GetProperty("inputTokens").GetInt64(),
            e.GetProperty("outputTokens").GetInt64(), e.GetProperty("errors").GetInt32(), e.GetProperty("cost").GetDecimal());

        var json = JsonDocument.Parse(await (await admin.GetAsync("/admin/usage?handler=Export&format=json&range=30")).Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(Sums(_ => true), Figures(json.GetProperty("totals")));
        var users = json.GetProperty("users").EnumerateArray().ToList();
        Assert.Equal(owners.Length, users.Count);
        foreach (var owner in owners)
            Assert.Equal(Sums(o => o == owner), Figures(users.Single(u => u.GetProperty("id").GetString() == owner).GetProperty("figures")));
    }

    private async Task<Sambung.Web.Features.Accounts.SambungUser> FirstUserAsync()
    {
        await using var session = Store.QuerySession();
        return await session.Query<Sambung.Web.Features.Accounts.SambungUser>().FirstAsync(u => u.DisplayName == "Ana Admin");
    }
}
