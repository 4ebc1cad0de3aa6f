using System.Net;
using System.Text.Json;
using Alba;
using Marten;
using Sambung.Events.Conversations;
using Sambung.FakeProviders;
using Sambung.IntegrationTests.Support;
using Sambung.Projections.Conversations;

namespace Sambung.IntegrationTests;

public sealed class WalkingSkeletonTests(AppFixture app) : AppTest(app)
{
    private async Task<(Guid ConversationId, Guid MessageId, Guid ReplyId)> StartChatAsync(string text)
    {
        var form = await PageForm.ReadAsync(Host, "/");
        var post = await Host.Scenario(s =>
        {
            form.PostTo(s, form.With(("Text", text)));
            s.StatusCodeShouldBe(HttpStatusCode.Redirect);
        });
        var id = form.Id("ConversationId");
        Assert.Equal($"/c/{id}", post.Context.Response.Headers.Location.ToString());
        return (id, form.Id("MessageId"), form.Id("ReplyId"));
    }

    [Fact]
    public async Task starting_a_chat_stores_the_events_and_the_streamed_reply_lands_in_the_projections()
    {
        App.Llm.Enqueue(new FakeReply { Text = "Hi **there**, friend.", InputTokens = 7, OutputTokens = 4 });

        var (id, messageId, replyId) = await StartChatAsync("Hello");
        await Store.ForReplyToEndAsync(replyId);

        await using var session = Store.QuerySession();
        var events = await session.Events.FetchStreamAsync(id);
        Assert.Collection(events.Select(e => e.Data),
            e => Assert.Equal("Hello", Assert.IsType<ConversationStarted>(e).Title),
            e => Assert.Equal((messageId, id, "Hello"), (((UserMessagePosted)e).NodeId, ((UserMessagePosted)e).ParentId, ((UserMessagePosted)e).Text)),
            e => Assert.Equal((messageId, 1), (Assert.IsType<ReplyRequested>(e).Context.PathEnd, Assert.IsType<ReplyRequested>(e).Context.PathLength)),
            e =>
            {
                var completed = Assert.IsType<ReplyCompleted>(e);
                Assert.Equal("Hi **there**, friend.", completed.Text);
                Assert.Equal(new TokenUsage(7, 4), completed.Usage);
                Assert.Equal("fake-gpt", completed.ProviderModelId);
                Assert.NotNull(completed.TimeToFirstToken);
            });

        var tree = await session.LoadAsync<ConversationTree>(id);
        Assert.Equal((replyId, 4L), (tree!.ActiveLeafId, tree.Version));
        var item = await session.LoadAsync<ChatListItem>(id);
        Assert.Equal(("Hello", 2), (item!.Title, item.MessageCount));
        var path = await session.ActivePathAsync(tree, default);
        Assert.Equal([messageId, replyId], path.Select(n => n.Node.Id));
        Assert.Equal(ReplyStatus.Completed, path[1].Node.Status);

        var page = await Host.GetAsText($"/c/{id}");
        Assert.Contains("Hi <strong>there</strong>, friend.", page);

        var request = Assert.Single(App.Llm.Requests, r => r.Path.EndsWith("/chat/completions"));
        Assert.Equal("Bearer test-key", request.Headers["Authorization"]);
        using var body = JsonDocument.Parse(request.Body);
        Assert.True(body.RootElement.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
        Assert.Equal("fake-gpt", body.RootElement.GetProperty("model").GetString());
    }

    [Fact]
    public async Task the_reply_event_stream_sends_the_text_once_then_the_final_message_and_closes()
    {
        // The reply starts while the chat is created: its first token waits until the test has connected.
        App.Llm.Enqueue(new FakeReply
        {
            Chunks = ["Use ", "`x < y`", " and ", "**bold**"], FirstTokenDelay = TimeSpan.FromSeconds(1), ChunkDelay = TimeSpan.FromMilliseconds(30),
        });
        var (id, _, replyId) = await StartChatAsync("Compare");

        var sse = await Host.Scenario(s => s.Get.Url($"/chats/{id}/replies/{replyId}/events"));
        Assert.Equal("text/event-stream", sse.Context.Response.ContentType);
        var events = ServerSentEvents.Parse(await sse.ReadAsTextAsync());

        // No blank line, so no finished block: the snapshot's tail then the unnamed text events carry the text once.
        Assert.Equal("snapshot", events[0].Name);
        var tail = System.Text.RegularExpressions.Regex.Match(events[0].Data, "hx-swap-oob=\"innerHTML\">(.*)</span>$", System.Text.RegularExpressions.RegexOptions.Singleline);
        var streamed = WebUtility.HtmlDecode(tail.Groups[1].Value) + string.Concat(events.Where(e => e.Name == "message").Select(e => WebUtility.HtmlDecode(e.Data)));
        Assert.Equal("Use `x < y` and **bold**", streamed);
        Assert.DoesNotContain(events, e => e.Name == "message" && e.Data.Contains('<'));
        var final = Assert.Single(events, e => e.Name == "final").Data;
        Assert.Contains("<code>x &lt; y</code>", final);
        Assert.Contains("<strong>bold</strong>", final);
        Assert.Contains("id=\"composer-version\" name=\"ExpectedVersion\" value=\"4\" hx-swap-oob=\"true\"", final);
        Assert.Equal("done", events[^1].Name);
    }

    [Fact]
    public async Task a_second_message_continues_from_the_reply_and_the_model_sees_the_whole_path()
    {
        // The second reply's first token waits, so the fragment is drawn while it streams (replies start while their
        // command commits; one already finished is drawn finished, without a stream).
        App.Llm.Enqueue(FakeReply.Of("First answer."), new FakeReply { Text = "Second answer.", FirstTokenDelay = TimeSpan.FromSeconds(1) });
        var (id, firstMessage, firstReply) = await StartChatAsync("First question");
        await Store.ForReplyToEndAsync(firstReply);

        var form = await PageForm.ReadAsync(Host, $"/c/{id}");
        Assert.Equal(firstReply.ToString(), form.Fields["ParentId"]);
        var response = await Host.Scenario(s =>
        {
            form.PostTo(s, form.With(("Text", "Second question")), htmx: true);
        });
        var fragment = await response.ReadAsTextAsync();
        Assert.Contains("Second question", fragment);
        Assert.Contains($"sse-connect=\"/chats/{id}/replies/{form.Id("ReplyId")}/events\"", fragment);
        Assert.Contains("id=\"composer\"", fragment);
        Assert.Contains("hx-swap-oob=\"true\"", fragment);

        var second = await Store.ForReplyToEndAsync(form.Id("ReplyId"));
        Assert.Equal("Second answer.", second.Text);

        await using var session = Store.QuerySession();
        var posted = (await session.Events.FetchStreamAsync(id)).Select(e => e.Data).OfType<UserMessagePosted>().Last();
        Assert.Equal(firstReply, posted.ParentId);
        var requested = (await session.Events.FetchStreamAsync(id)).Select(e => e.Data).OfType<ReplyRequested>().Last();
        Assert.Equal((form.Id("MessageId"), 3), (requested.Context.PathEnd, requested.Context.PathLength));

        using var body = JsonDocument.Parse(App.Llm.Requests.Last(r => r.Path.EndsWith("/chat/completions")).Body);
        var sent = body.RootElement.GetProperty("messages").EnumerateArray()
            .Select(m => (m.GetProperty("role").GetString(), ContentOf(m))).ToList();
        Assert.Equal([("user", "First question"), ("assistant", "First answer."), ("user", "Second question")], sent);
    }

    [Fact]
    public async Task posting_the_same_form_twice_adds_nothing_the_second_time()
    {
        var (id, _, replyId) = await StartChatAsync("Once");
        await Store.ForReplyToEndAsync(replyId);
        var form = await PageForm.ReadAsync(Host, $"/c/{id}");

        for (var i = 0; i < 2; i++)
            await Host.Scenario(s =>
            {
                form.PostTo(s, form.With(("Text", "Twice?")), htmx: true);
            });

        await Store.ForReplyToEndAsync(form.Id("ReplyId"));
        await using var session = Store.QuerySession();
        var events = await session.Events.FetchStreamAsync(id);
        Assert.Single(events, e => e.Data is UserMessagePosted { Text: "Twice?" });
        Assert.Equal(2, events.Count(e => e.Data is ReplyRequested));
    }

    [Fact]
    public async Task a_message_sent_from_a_stale_page_is_refused_and_the_text_is_kept()
    {
        var (id, _, replyId) = await StartChatAsync("Hello");
        await Store.ForReplyToEndAsync(replyId);
        var form = await PageForm.ReadAsync(Host, $"/c/{id}");

        var response = await Host.Scenario(s =>
        {
            form.PostTo(s, form.With(("Text", "From an old tab"), ("ExpectedVersion", "2")), htmx: true);
        });

        Assert.Equal("none", response.Context.Response.Headers["HX-Reswap"].ToString());
        Assert.Contains("changed in another tab", await response.ReadAsTextAsync());
        await using var session = Store.QuerySession();
        Assert.Equal(4, (await session.Events.FetchStreamStateAsync(id))!.Version);
    }

    [Fact]
    public async Task an_empty_message_is_refused_with_a_clear_message_and_starts_nothing()
    {
        var form = await PageForm.ReadAsync(Host, "/");
        var response = await Host.Scenario(s =>
        {
            form.PostTo(s, form.With(("Text", "   ")));
            s.StatusCodeShouldBe(422);
        });

        Assert.Contains("Write a message before sending.", await response.ReadAsTextAsync());
        await using var session = Store.QuerySession();
        Assert.Null(await session.Events.FetchStreamStateAsync(form.Id("ConversationId")));
    }

    [Fact]
    public async Task a_form_without_the_antiforgery_token_is_rejected()
    {
        var form = await PageForm.ReadAsync(Host, "/");
        var fields = form.With(("Text", "Hello"));
        fields.Remove("__RequestVerificationToken");
        await Host.Scenario(s =>
        {
            form.PostTo(s, fields);
            s.StatusCodeShouldBe(400);
        });
    }

    [Fact]
    public async Task a_provider_error_ends_the_reply_as_failed_with_the_reason()
    {
        App.Llm.Enqueue(new FakeReply { ErrorStatus = 401, ErrorMessage = "Incorrect API key provided." });
        var (id, _, replyId) = await StartChatAsync("Hello");

        var reply = await Store.ForReplyToEndAsync(replyId);

        Assert.Equal((ReplyStatus.Failed, "authentication"), (reply.Status, reply.ErrorKind));
        var page = await Host.GetAsText($"/c/{id}");
        Assert.Contains("The provider refused the API key.", page);
    }

    [Fact]
    public async Task stopping_a_reply_keeps_the_text_so_far()
    {
        App.Llm.Enqueue(new FakeReply { Chunks = Enumerable.Range(0, 200).Select(i => $"w{i} ").ToList(), ChunkDelay = TimeSpan.FromMilliseconds(20) });
        var (id, _, replyId) = await StartChatAsync("Talk for a while");
        await Waiting.UntilAsync(async () => (await Host.GetAsText($"/c/{id}")).Contains("Stop"), "the Stop button");
        var live = Host.Services.GetRequiredService<Sambung.Web.Features.Streaming.LiveReplies>();
        await Waiting.UntilAsync(() => Task.FromResult(live.Find(replyId)?.Text.Length > 10), "some streamed text");

        var form = await PageForm.ReadAsync(Host, $"/c/{id}", formId: "stop-" + replyId);
        await Host.Scenario(s =>
        {
            form.PostTo(s, form.Fields, htmx: true);
            s.StatusCodeShouldBe(204);
        });

        var reply = await Store.ForReplyToEndAsync(replyId);
        Assert.Equal(ReplyStatus.Stopped, reply.Status);
        Assert.StartsWith("w0 w1 ", reply.Text);
        Assert.DoesNotContain("w199", reply.Text);
    }

    [Fact]
    public async Task another_users_chat_is_not_found()
    {
        var id = Guid.CreateVersion7();
        var replyId = Guid.CreateVersion7();
        await using (var session = Store.LightweightSession())
        {
            var decision = ConversationDecisions.Decide(
                new StartConversation(id, "someone-else", Guid.CreateVersion7(), "Private", replyId, new("openai", "fake-gpt")), null, DateTimeOffset.UtcNow);
            session.Events.StartStream(id, decision.Events.ToArray());
            await session.SaveChangesAsync();
        }

        await Host.Scenario(s => { s.Get.Url($"/c/{id}"); s.StatusCodeShouldBe(404); });
        await Host.Scenario(s => { s.Get.Url($"/chats/{id}/replies/{replyId}/events"); s.StatusCodeShouldBe(404); });
        var page = await Host.GetAsText("/");
        Assert.DoesNotContain("Private", page);
    }

    private static string ContentOf(JsonElement message) =>
        message.GetProperty("content") is { ValueKind: JsonValueKind.String } s
            ? s.GetString()!
            : string.Concat(message.GetProperty("content").EnumerateArray().Select(p => p.GetProperty("text").GetString()));
}
