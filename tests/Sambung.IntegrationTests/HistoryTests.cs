using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Alba;
using Marten;
using Sambung.Events.Conversations;
using Sambung.FakeProviders;
using Sambung.IntegrationTests.Support;
using Sambung.Projections.Conversations;
using Sambung.Web.Features.Streaming;

namespace Sambung.IntegrationTests;

// History and replay, "What the model saw" with "Run again", and "Ask several models", over HTTP against the real
// host, database and the fake provider.
public sealed partial class HistoryTests(AppFixture app) : AppTest(app)
{
    private Conversations Chats => new(Host);
    private const string Owner = Conversations.Owner;

    private async Task<string> GetAsync(string url, int status = 200)
    {
        var result = await Host.Scenario(s =>
        {
            s.Get.Url(url);
            s.StatusCodeShouldBe(status);
        });
        return WebUtility.HtmlDecode(await result.ReadAsTextAsync());
    }

    // The conversation part of the history page (the event list comes after it).
    private static string StateOf(string html) => html[html.IndexOf("history-state", StringComparison.Ordinal)..html.IndexOf("history-events", StringComparison.Ordinal)];

    private async Task<(Guid Id, Guid M1, Guid R1, Guid M2, Guid R2)> TwoExchangesAsync()
    {
        var (id, m1, r1) = await Chats.ExchangeAsync("Tell me about Bali", "Bali has temples.");
        var (m2, r2) = await Chats.PostAsync(id, "And Lombok?");
        await Chats.CompleteAsync(id, r2, "Lombok has Rinjani.");
        return (id, m1, r1, m2, r2);
    }

    [Fact]
    public async Task the_history_page_lists_every_event_and_shows_the_conversation_as_it_was_after_each()
    {
        var (id, _, _, _, _) = await TwoExchangesAsync(); // 7 events

        var atTwo = await GetAsync($"/c/{id}/history?version=2");
        Assert.Contains("Tell me about Bali", StateOf(atTwo));
        Assert.DoesNotContain("Bali has temples.", StateOf(atTwo));
        Assert.Contains("Step 2 of 7", atTwo);
        Assert.Contains("Wrote: “Tell me about Bali”", atTwo);
        Assert.Contains("Asked fake-gpt for a reply.", atTwo);
        Assert.Contains("fake-gpt replied (15 tokens, 1.0 s).", atTwo);
        Assert.Contains($"href=\"/c/{id}/history?version=1\" rel=\"prev\"", atTwo);
        Assert.Contains($"href=\"/c/{id}/history?version=3\" rel=\"next\"", atTwo);
        Assert.Matches("aria-current=\"step\"[^<]*<span class=\"history-what\">Wrote", atTwo);

        var atThree = StateOf(await GetAsync($"/c/{id}/history?version=3"));
        Assert.Contains("Not answered yet at this step.", atThree);
        var atFour = StateOf(await GetAsync($"/c/{id}/history?version=4"));
        Assert.Contains("Bali has temples.", atFour);
        Assert.DoesNotContain("And Lombok?", atFour);
        var latest = await GetAsync($"/c/{id}/history");
        Assert.Contains("Step 7 of 7", latest);
        Assert.Contains("Lombok has Rinjani.", StateOf(latest));
        // Out of range steps show the nearest one rather than failing.
        Assert.Contains("Step 1 of 7", await GetAsync($"/c/{id}/history?version=-5"));
        // Restoring is offered for a past step only.
        Assert.DoesNotContain("Restore this version", latest);
        Assert.Contains("Restore this version", atTwo);
        // The chat page links to it.
        Assert.Contains($"href=\"/c/{id}/history\">History</a>", await GetAsync($"/c/{id}"));
    }

    [Fact]
    public async Task the_history_is_in_the_readers_language()
    {
        var (id, _, _) = await Chats.ExchangeAsync("Halo", "Hai");
        var html = await (await Host.Scenario(s =>
        {
            s.Get.Url($"/c/{id}/history?version=2");
            s.WithRequestHeader("Accept-Language", "id");
        })).ReadAsTextAsync();
        html = WebUtility.HtmlDecode(html);
        Assert.Contains("Langkah 2 dari 4", html);
        Assert.Contains("Menulis: “Halo”", html);
        Assert.Contains("Pulihkan versi ini", html);
    }

    [Fact]
    public async Task restoring_a_version_brings_its_branch_back_as_the_active_one_and_loses_nothing()
    {
        var (id, m1, r1, m2, r2) = await TwoExchangesAsync();
        var form = await PageForm.ReadAsync(Host, $"/c/{id}/history?version=4", "history-restore");
        Assert.Equal("4", form.Fields["version"]);

        var post = await Host.Scenario(s =>
        {
            form.PostTo(s);
            s.StatusCodeShouldBe(302);
        });
        Assert.Equal($"/c/{id}", post.Context.Response.Headers.Location.ToString());

        await using var session = Store.QuerySession();
        var page = (await session.LoadPageAsync(id, Owner, default))!;
        Assert.Equal([m1, r1], page.Messages.Select(n => n.Id));
        Assert.NotNull(await session.LoadAsync<TreeNode>(r2));
        var events = await Chats.EventsAsync(id);
        Assert.Equal(new BranchSelected(r1, Owner, ((BranchSelected)events[^1]).At), events[^1]);

        // Sending from the restored branch makes a sibling of the later message: "Previous version" leads back to it.
        var (m3, _) = await Chats.PostAsync(id, "And Java?");
        await using var after = Store.QuerySession();
        Assert.Equal([m2, m3], (await after.LoadAsync<TreeNode>(r1))!.Children);

        // Repeating the restore of the page that is now current changes nothing; a step that does not exist is refused.
        var again = await PageForm.ReadAsync(Host, $"/c/{id}/history?version=1", "history-restore");
        var refused = await Host.Scenario(s =>
        {
            again.PostTo(s, again.With(("version", "999")));
            s.StatusCodeShouldBe(422);
        });
        Assert.Contains("That step is not in this conversation's history.", WebUtility.HtmlDecode(await refused.ReadAsTextAsync()));
    }

    // The messages of one recorded OpenAI request, as (role, text).
    private static List<(string Role, string Text)> SentMessages(RecordedRequest request) =>
        request.Json()!["messages"]!.AsArray().Select(m => (m!["role"]!.GetValue<string>(), m["content"] switch
        {
            JsonArray parts => string.Concat(parts.Select(p => p!["text"]?.GetValue<string>())),
            var content => content!.GetValue<string>(),
        })).ToList();

    private static List<(string Role, string Text)> ShownMessages(string html) => ShownPattern().Matches(html)
        .Select(m => (m.Groups["role"].Value, WebUtility.HtmlDecode(m.Groups["text"].Value))).ToList();

    [GeneratedRegex("<li class=\"model-saw-message\" data-role=\"(?<role>[a-z]+)\">.*?<pre class=\"model-saw-text\">(?<text>.*?)</pre>", RegexOptions.Singleline)]
    private static partial Regex ShownPattern();

    [Fact]
    public async Task what_the_model_saw_is_exactly_what_the_provider_received_and_run_again_asks_another_model()
    {
        var generator = Host.Services.GetRequiredService<ReplyGenerator>();
        App.Llm.Enqueue(FakeReply.Of("Bali has temples & <beaches>."), FakeReply.Of("Lombok has Rinjani."), FakeReply.Of("From the mini model."));
        var (id, _, r1) = await Chats.StartAsync("Tell me about <Bali>\nin two lines", systemPrompt: "Answer briefly.");
        generator.Start(id, r1, Owner);
        await Store.ForReplyToEndAsync(r1);
        var (_, r2) = await Chats.PostAsync(id, "And Lombok?");
        generator.Start(id, r2, Owner);
        await Store.ForReplyToEndAsync(r2);
        var sent = SentMessages(App.Llm.Requests.Last(r => r.Path.EndsWith("/chat/completions")));

        var page = await GetAsync($"/c/{id}/replies/{r2}/context");
        Assert.Equal(sent, ShownMessages(page));
        Assert.Equal(4, sent.Count); // system, user, assistant, user
        Assert.Contains("openai/fake-gpt", page);
        Assert.Contains("Answer briefly.", page);
        // The same panel for htmx, without the layout; the chat page offers it on every finished reply.
        var panel = await (await Host.Scenario(s =>
        {
            s.Get.Url($"/c/{id}/replies/{r2}/context");
            s.WithRequestHeader("HX-Request", "true");
        })).ReadAsTextAsync();
        Assert.DoesNotContain("<html", panel);
        Assert.Equal(sent, ShownMessages(panel));
        var chat = await GetAsync($"/c/{id}");
        Assert.Contains($"action=\"/c/{id}/replies/{r1}/context\"", chat);
        Assert.Contains(">What the model saw</button>", chat);

        // Run again with the other model: a sibling of that reply, asked of fake-mini with the same messages.
        var form = await PageForm.ReadAsync(Host, $"/c/{id}/replies/{r2}/context", $"run-again-{r2}");
        await Host.Scenario(s =>
        {
            form.PostTo(s, form.With(("Model", "openai|fake-mini")));
            s.StatusCodeShouldBe(302);
        });
        var again = await Store.ForReplyToEndAsync(form.Id("NewReplyId"));
        Assert.Equal("From the mini model.", again.Text);
        Assert.Equal(new ModelRef("openai", "fake-mini"), again.Model);
        Assert.Equal(r2, again.RegenerationOf);
        await using var session = Store.QuerySession();
        var original = (await session.LoadAsync<TreeNode>(r2))!;
        Assert.Equal(original.ParentId, again.ParentId);
        var last = App.Llm.Requests.Last(r => r.Path.EndsWith("/chat/completions"));
        Assert.Equal("fake-mini", last.Json()!["model"]!.GetValue<string>());
        Assert.Equal(sent, SentMessages(last));
        Assert.Equal(sent, ShownMessages(await GetAsync($"/c/{id}/replies/{again.Id}/context")));
    }

    private static Dictionary<string, string> SeveralFields(PageForm composer, string text, Guid message, Guid[] replies, params string[] models)
    {
        var fields = new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = composer.Fields["__RequestVerificationToken"],
            ["Text"] = text,
            ["MessageId"] = message.ToString(),
            ["ExpectedVersion"] = composer.Fields["ExpectedVersion"],
        };
        for (var i = 0; i < replies.Length; i++) fields[$"ReplyIds[{i}]"] = replies[i].ToString();
        for (var i = 0; i < models.Length; i++) fields[$"Model[{i}]"] = models[i];
        return fields;
    }

    [Fact]
    public async Task asking_several_models_posts_one_message_and_a_reply_from_each_with_its_own_numbers()
    {
        var (id, _, r1) = await Chats.ExchangeAsync("Hello", "Hi");
        var composer = await PageForm.ReadAsync(Host, $"/c/{id}");

        // The composer's button opens the choice with the message typed so far.
        var choice = await (await Host.Scenario(s =>
        {
            s.Post.FormData(composer.With(("Text", "Which island?"))).ToUrl($"/c/{id}/several");
            s.WithRequestHeader("Cookie", composer.Cookie);
        })).ReadAsTextAsync();
        Assert.Contains(">Which island?</textarea>", choice);
        Assert.Contains("value=\"openai|fake-gpt\" checked", choice);
        Assert.Contains("value=\"openai|fake-mini\"", choice);

        var (message, replies) = (Guid.CreateVersion7(), Enumerable.Range(0, 4).Select(_ => Guid.CreateVersion7()).ToArray());
        async Task<string> SendAsync(int status, params string[] models) => await (await Host.Scenario(s =>
        {
            s.Post.FormData(SeveralFields(composer, "Which island?", message, replies, models)).ToUrl($"/c/{id}/several").QueryString("handler", "Send");
            s.WithRequestHeader("Cookie", composer.Cookie);
            s.StatusCodeShouldBe(status);
        })).ReadAsTextAsync();

        Assert.Contains("Choose at least one model.", await SendAsync(422));
        Assert.Contains("Choose at most 4 models.", await SendAsync(422, "openai|a", "openai|b", "openai|c", "openai|d", "openai|e"));
        Assert.Equal(4, (await Chats.EventsAsync(id)).Count); // nothing was written

        App.Llm.Enqueue(FakeReply.Of("Bali."), FakeReply.Of("Lombok."));
        await SendAsync(302, "openai|fake-gpt", "openai|fake-mini");
        var first = await Store.ForReplyToEndAsync(replies[0]);
        var second = await Store.ForReplyToEndAsync(replies[1]);

        Assert.Equal((new ModelRef("openai", "fake-gpt"), new ModelRef("openai", "fake-mini")), (first.Model, second.Model));
        Assert.All([first, second], reply =>
        {
            Assert.Equal(message, reply.ParentId);
            Assert.Equal(ReplyStatus.Completed, reply.Status);
            Assert.NotNull(reply.Usage);
            Assert.NotNull(reply.TimeToFirstToken);
            Assert.True(reply.Duration > TimeSpan.Zero);
        });
        Assert.Equal(["Bali.", "Lombok."], new[] { first.Text, second.Text }.Order());
        var chats = App.Llm.Requests.Where(r => r.Path.EndsWith("/chat/completions")).ToList();
        Assert.Equal(["fake-gpt", "fake-mini"], chats.Select(r => r.Json()!["model"]!.GetValue<string>()).Order());
        // Both were asked the same messages.
        Assert.Equal(SentMessages(chats[0]), SentMessages(chats[1]));

        // A reload shows one of them with the other a "version" away; "Continue with this one" picks one.
        var page = await GetAsync($"/c/{id}");
        Assert.Contains("2 / 2", page);
        await Chats.AppliedAsync(new SelectBranch(id, replies[0], Owner));
        Assert.Contains("1 / 2", await GetAsync($"/c/{id}"));
        // The same post again (a double click) adds nothing.
        var count = (await Chats.EventsAsync(id)).Count;
        composer = await PageForm.ReadAsync(Host, $"/c/{id}");
        await SendAsync(302, "openai|fake-gpt", "openai|fake-mini");
        Assert.Equal(count, (await Chats.EventsAsync(id)).Count);
    }

    [Fact]
    public async Task with_htmx_the_several_replies_come_back_as_columns_each_with_its_own_stream()
    {
        var (id, _, _) = await Chats.ExchangeAsync("Hello", "Hi");
        var composer = await PageForm.ReadAsync(Host, $"/c/{id}");
        var (message, replies) = (Guid.CreateVersion7(), Enumerable.Range(0, 4).Select(_ => Guid.CreateVersion7()).ToArray());
        // The replies start while the command commits: their first tokens wait, so both are still streaming when the
        // columns are drawn (a reply already finished is drawn finished, without a stream).
        App.Llm.Enqueue(new FakeReply { Text = "One.", FirstTokenDelay = TimeSpan.FromSeconds(2) },
            new FakeReply { Text = "Two.", FirstTokenDelay = TimeSpan.FromSeconds(2) });

        var html = await (await Host.Scenario(s =>
        {
            s.Post.FormData(SeveralFields(composer, "Both?", message, replies, "openai|fake-gpt", "openai|fake-mini"))
                .ToUrl($"/c/{id}/several").QueryString("handler", "Send");
            s.WithRequestHeader("Cookie", composer.Cookie);
            s.WithRequestHeader("HX-Request", "true");
        })).ReadAsTextAsync();

        Assert.Contains($"id=\"m-{message}\"", html);
        Assert.Contains("class=\"several-columns\"", html);
        foreach (var reply in replies.Take(2))
        {
            Assert.Contains($"sse-connect=\"{ReplyEventsEndpoint.UrlFor(id, reply)}\"", html);
            Assert.Contains($"name=\"NodeId\" value=\"{reply}\"", html);
        }
        Assert.Equal(2, Regex.Matches(html, ">Continue with this one</button>").Count);
        Assert.Contains("id=\"several-panel\" class=\"several-panel\" hx-swap-oob=\"innerHTML\"", html);
        await Store.ForReplyToEndAsync(replies[0]);
        await Store.ForReplyToEndAsync(replies[1]);
    }

    [Fact]
    public async Task another_users_conversation_and_a_purged_one_are_not_found()
    {
        var (id, _, reply) = await Chats.ExchangeAsync("Mine", "Yours");
        var stranger = new Conversations(Host, "someone-else");
        var (otherId, _, otherReply) = await stranger.ExchangeAsync("Secret question", "Secret answer");

        await GetAsync($"/c/{otherId}/history", 404);
        await GetAsync($"/c/{otherId}/history?version=2", 404);
        await GetAsync($"/c/{otherId}/replies/{otherReply}/context", 404);
        // Someone else's reply through my conversation's address is not found either.
        await GetAsync($"/c/{id}/replies/{otherReply}/context", 404);

        var composer = await PageForm.ReadAsync(Host, $"/c/{id}");
        foreach (var (url, fields) in new[]
        {
            ($"/c/{otherId}/history?handler=Restore", new Dictionary<string, string> { ["version"] = "1" }),
            ($"/c/{otherId}/replies/{otherReply}/context?handler=RunAgain",
                new Dictionary<string, string> { ["Model"] = "openai|fake-mini", ["NewReplyId"] = Guid.CreateVersion7().ToString() }),
            ($"/c/{otherId}/several", new Dictionary<string, string> { ["Text"] = "Hi" }),
        })
        {
            var parts = url.Split('?');
            var body = await (await Host.Scenario(s =>
            {
                var send = s.Post.FormData(new(fields) { ["__RequestVerificationToken"] = composer.Fields["__RequestVerificationToken"] }).ToUrl(parts[0]);
                if (parts.Length > 1) send.QueryString("handler", parts[1].Split('=')[1]);
                s.WithRequestHeader("Cookie", composer.Cookie);
                s.StatusCodeShouldBe(404);
            })).ReadAsTextAsync();
            Assert.DoesNotContain("Secret", body);
        }
        Assert.Equal(4, (await stranger.EventsAsync(otherId)).Count);

        await Chats.AppliedAsync(new PurgeConversation(id, Owner, "user"));
        await GetAsync($"/c/{id}/history", 404);
        await GetAsync($"/c/{id}/replies/{reply}/context", 404);
    }
}
