using System.Net;
using Marten;
using Sambung.Events.Conversations;
using Sambung.FakeProviders;
using Sambung.IntegrationTests.Support;
using Sambung.Web.Features.Chats;

namespace Sambung.IntegrationTests;

// The composer's htmx send (SendEndpoint), with real sign-in cookies and antiforgery: what it refuses appends
// nothing, and the proofs it remembers (RememberedProofs) never let anything through that checking them would not.
public sealed class SendEndpointTests(AccountsFixture fixture) : AccountsTest(fixture)
{
    private static (string, string)[] Message(string text, Guid? reply = null) =>
        [("MessageId", Guid.CreateVersion7().ToString()), ("ReplyId", (reply ?? Guid.CreateVersion7()).ToString()), ("Text", text)];

    // A signed-in browser with a chat whose first reply has ended, and the antiforgery token of the chat's page.
    private async Task<(TestBrowser Browser, Guid Chat, string Token)> ChatAsync()
    {
        Fixture.Llm.DefaultReply = FakeReply.Of("Noted.");
        var browser = await SignedInAsync();
        var (chat, reply, _) = await browser.StartChatAsync("Hello");
        await Store.ForReplyToEndAsync(reply);
        var page = await browser.PageAsync($"/c/{chat}");
        Assert.Contains($"hx-post=\"{SendEndpoint.UrlFor(chat)}\"", page); // the composer posts here with htmx
        return (browser, chat, TestBrowser.Token(page));
    }

    private async Task<int> EventCountAsync(Guid chat)
    {
        await using var session = Store.QuerySession();
        return (await session.Events.FetchStreamAsync(chat)).Count;
    }

    [Fact]
    public async Task a_send_answers_with_the_exchange_and_a_fresh_composer_and_the_reply_streams()
    {
        var (browser, chat, token) = await ChatAsync();
        var reply = Guid.CreateVersion7();
        Fixture.Llm.DefaultReply = new FakeReply { Text = "Second answer.", FirstTokenDelay = TimeSpan.FromMilliseconds(500) };

        var sent = await browser.PostHtmxAsync(SendEndpoint.UrlFor(chat), token, Message("Second <question>", reply));

        Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        Assert.Contains("Second &lt;question&gt;", browser.LastPage);
        Assert.Contains($"sse-connect=\"/chats/{chat}/replies/{reply}/events\"", browser.LastPage);
        Assert.Contains("id=\"composer\"", browser.LastPage);
        Assert.Equal("Second answer.", (await Store.ForReplyToEndAsync(reply)).Text);
    }

    [Fact]
    public async Task what_the_send_refuses_appends_nothing()
    {
        var (browser, chat, token) = await ChatAsync();
        var before = await EventCountAsync(chat);

        // No token.
        Assert.Equal(HttpStatusCode.BadRequest, (await browser.PostHtmxAsync(SendEndpoint.UrlFor(chat), null, Message("No token"))).StatusCode);
        // Ids that are not ids.
        Assert.Equal(HttpStatusCode.BadRequest, (await browser.PostHtmxAsync(SendEndpoint.UrlFor(chat), token,
            ("MessageId", "not-an-id"), ("ReplyId", Guid.CreateVersion7().ToString()), ("Text", "Bad id"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await browser.PostHtmxAsync(SendEndpoint.UrlFor(chat), token, ("Text", "No ids"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await browser.PostHtmxAsync(SendEndpoint.UrlFor(chat), token, [.. Message("Bad version"), ("ExpectedVersion", "v2")])).StatusCode);
        // An empty message: the refusal goes above the composer, and what was typed stays where it is.
        var empty = await browser.PostHtmxAsync(SendEndpoint.UrlFor(chat), token, Message("   "));
        Assert.Equal(HttpStatusCode.OK, empty.StatusCode);
        Assert.Equal("none", empty.Headers.GetValues("HX-Reswap").Single());
        Assert.Contains("id=\"composer-error\"", browser.LastPage);
        Assert.Contains("role=\"alert\"", browser.LastPage);
        // A chat that does not exist.
        Assert.Equal(HttpStatusCode.NotFound, (await browser.PostHtmxAsync(SendEndpoint.UrlFor(Guid.CreateVersion7()), token, Message("Nowhere"))).StatusCode);

        Assert.Equal(before, await EventCountAsync(chat));
        Assert.DoesNotContain(Fixture.Llm.Requests, r => new[] { "No token", "Bad id", "No ids", "Bad version", "Nowhere" }.Any(r.Body.Contains));
    }

    [Fact]
    public async Task another_users_chat_is_not_found_and_gets_nothing()
    {
        var (_, chat, _) = await ChatAsync();
        var (other, _, otherToken) = await ChatAsync();
        var before = await EventCountAsync(chat);

        var response = await other.PostHtmxAsync(SendEndpoint.UrlFor(chat), otherToken, Message("Not yours"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(before, await EventCountAsync(chat));
    }

    [Fact]
    public async Task a_post_without_htmx_goes_on_to_the_page_which_answers_with_whole_pages()
    {
        var (browser, chat, token) = await ChatAsync();

        var response = await browser.PostWithTokenAsync(SendEndpoint.UrlFor(chat), token, Message("Without JavaScript"));

        Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode); // the method and the form are kept
        Assert.Equal($"/c/{chat}?handler=Send", response.Headers.Location!.OriginalString);

        // The page handler lands on the new reply, not at the top of the chat. While the reply is written, the page
        // shows its text so far (formatted) and, for a browser without JavaScript, a way to see more.
        var reply = Guid.CreateVersion7();
        Fixture.Llm.DefaultReply = new FakeReply { Chunks = ["**Partial** answer.\n\nStill", " typing"], ChunkDelay = TimeSpan.FromSeconds(30) };
        var sent = await browser.PostWithTokenAsync($"/c/{chat}?handler=Send", token, Message("Without JavaScript", reply));
        Assert.Equal(HttpStatusCode.Redirect, sent.StatusCode);
        Assert.Equal($"/c/{chat}#m-{reply}", sent.Headers.Location!.OriginalString);
        var live = Fixture.Host.Services.GetRequiredService<Sambung.Web.Features.Streaming.LiveReplies>();
        await Waiting.UntilAsync(() => Task.FromResult(live.Find(reply)?.Text.Length > 0), "the reply's first words");
        var page = await browser.PageAsync($"/c/{chat}");
        Assert.Contains($"id=\"m-{reply}\"", page);
        Assert.Contains("<strong>Partial</strong> answer.", page); // a finished block, rendered
        Assert.Contains($"id=\"s-{reply}\" sse-swap=\"message\" hx-swap=\"beforeend\">Still</span>", page); // the tail, as text
        Assert.Matches($"<noscript><p class=\"stream-reload\"><a href=\"/c/{chat}\\?more=\\d+#m-{reply}\">The reply is still being written. Reload to see more.</a></p></noscript>", page);
        Assert.True(Fixture.Host.Services.GetRequiredService<Sambung.Web.Features.Streaming.ReplyGenerator>().Stop(reply, live.Find(reply)!.OwnerId));
        Assert.Equal("**Partial** answer.\n\nStill", (await Store.ForReplyToEndAsync(reply)).Text);
    }

    [Fact]
    public async Task without_javascript_regenerate_and_edit_land_at_their_new_reply_and_a_refusal_says_why()
    {
        Fixture.Llm.DefaultReply = FakeReply.Of("Noted.");
        var browser = await SignedInAsync();
        var (chat, reply, token) = await browser.StartChatAsync("Hello");
        var message = (await Store.ForReplyToEndAsync(reply)).ParentId!.Value;

        var again = Guid.CreateVersion7();
        var regenerated = await browser.PostWithTokenAsync($"/c/{chat}?handler=Regenerate", token, ("replyOf", reply.ToString()), ("newReplyId", again.ToString()));
        Assert.Equal(HttpStatusCode.Redirect, regenerated.StatusCode);
        Assert.Equal($"/c/{chat}#m-{again}", regenerated.Headers.Location!.OriginalString);
        await Store.ForReplyToEndAsync(again);

        var (edit, editReply) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        var edited = await browser.PostWithTokenAsync($"/c/{chat}?handler=Edit", token,
            ("editOf", message.ToString()), ("newMessageId", edit.ToString()), ("replyId", editReply.ToString()), ("text", "Hello again"));
        Assert.Equal(HttpStatusCode.Redirect, edited.StatusCode);
        Assert.Equal($"/c/{chat}#m-{editReply}", edited.Headers.Location!.OriginalString);
        await Store.ForReplyToEndAsync(editReply);

        // A user message cannot be regenerated: refused, so the chat page again, saying why above the composer.
        var refused = await browser.PostWithTokenAsync($"/c/{chat}?handler=Regenerate", token, ("replyOf", message.ToString()), ("newReplyId", Guid.CreateVersion7().ToString()));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("<div id=\"composer-error\" class=\"composer-error\" role=\"alert\">That is not a reply.</div>", await refused.Content.ReadAsStringAsync());

        // So is a rename to nothing, which before said nothing at all.
        var unnamed = await browser.PostWithTokenAsync($"/c/{chat}?handler=Rename", token, ("title", "   "));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unnamed.StatusCode);
        Assert.Contains("A chat needs a title.", await unnamed.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task past_the_hourly_message_limit_a_send_answers_429_with_the_wait_and_appends_nothing()
    {
        var (browser, chat, token) = await ChatAsync(); // the new chat was this user's first message of the hour
        for (var spent = 1; spent < 100; spent++)
            Assert.Equal(HttpStatusCode.OK, (await browser.PostHtmxAsync(SendEndpoint.UrlFor(chat), token, Message(" "))).StatusCode);
        var before = await EventCountAsync(chat);

        var limited = await browser.PostHtmxAsync(SendEndpoint.UrlFor(chat), token, Message("One more"));

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal("none", Assert.Single(limited.Headers.GetValues("HX-Reswap")));
        Assert.Matches("^<div id=\"composer-error\" class=\"composer-error\" role=\"alert\" hx-swap-oob=\"true\">Too many requests. Try again in \\d+ minute\\(s\\).</div>$",
            await limited.Content.ReadAsStringAsync());
        Assert.Equal(before, await EventCountAsync(chat));
    }

    [Fact]
    public async Task a_remembered_antiforgery_pair_still_belongs_to_its_user()
    {
        var (alice, chat, aliceToken) = await ChatAsync();
        Assert.Equal(HttpStatusCode.OK, (await alice.PostHtmxAsync(SendEndpoint.UrlFor(chat), aliceToken, Message("Checked once"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await alice.PostHtmxAsync(SendEndpoint.UrlFor(chat), aliceToken, Message("Remembered"))).StatusCode);

        // Mallory holds Alice's token pair (her form token and antiforgery cookie) but is signed in as herself.
        var (mallory, malloryChat, _) = await ChatAsync();
        mallory.SetCookie("sambung.af", alice.CookieValue("sambung.af")!);
        var before = await EventCountAsync(malloryChat);

        var forged = await mallory.PostHtmxAsync(SendEndpoint.UrlFor(malloryChat), aliceToken, Message("Forged"));

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(before, await EventCountAsync(malloryChat));
    }
}
