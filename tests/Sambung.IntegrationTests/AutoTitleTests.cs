using System.Net;
using Marten;
using Sambung.Events.Conversations;
using Sambung.FakeProviders;
using Sambung.IntegrationTests.Support;
using Sambung.Projections.Conversations;

namespace Sambung.IntegrationTests;

// Automatic titles (ReplyTitles, on in the accounts host): after the first reply the chat's model names the chat;
// until then, and when it cannot, the title is the first message's first words (at most 50 characters, whole words);
// a name the user gave wins.
public sealed class AutoTitleTests(AccountsFixture fixture) : AccountsTest(fixture)
{
    private const string Question = "Plan a quiet week on Bali for two people who like walking, food and old temples";

    private async Task<string> TitleAsync(Guid chat)
    {
        await using var session = Store.QuerySession();
        return (await session.LoadAsync<ChatListItem>(chat))!.Title;
    }

    private async Task<IReadOnlyList<ConversationRenamed>> RenamesAsync(Guid chat)
    {
        await using var session = Store.QuerySession();
        return [.. (await session.Events.FetchStreamAsync(chat)).Select(e => e.Data).OfType<ConversationRenamed>()];
    }

    private static bool IsTitleRequest(RecordedRequest request) => request.Body.Contains("Write a title of at most");

    // The title is asked for in the background after the reply is stored: wait for its request (when one is expected)
    // and for the renames expected, then a little longer, so that anything more would show.
    private async Task<IReadOnlyList<ConversationRenamed>> AfterTheTitleAsync(Guid chat, bool asked, int renames)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (asked && !Fixture.Llm.Requests.Any(IsTitleRequest) && DateTime.UtcNow < deadline) await Task.Delay(50);
        while ((await RenamesAsync(chat)).Count < renames && DateTime.UtcNow < deadline) await Task.Delay(50);
        await Task.Delay(500);
        return await RenamesAsync(chat);
    }

    [Fact]
    public async Task the_first_reply_names_the_chat_with_the_models_title_cleaned_up()
    {
        var browser = await SignedInAsync();
        Fixture.Llm.Enqueue(FakeReply.Of("Day one: Ubud."), FakeReply.Of("Title: \"A Quiet Week on Bali.\"\nMore text"));

        var (chat, reply, token) = await browser.StartChatAsync(Question);
        Assert.Equal("Plan a quiet week on Bali for two people who like…", await TitleAsync(chat)); // first words, until then
        await Store.ForReplyToEndAsync(reply);

        var renamed = Assert.Single(await AfterTheTitleAsync(chat, asked: true, renames: 1));
        Assert.Equal(("A Quiet Week on Bali", true), (renamed.Title, renamed.Automatic));
        Assert.Equal("A Quiet Week on Bali", await TitleAsync(chat));
        var asked = Assert.Single(Fixture.Llm.Requests, IsTitleRequest);
        Assert.Contains(Question, asked.Body);
        Assert.Contains("Day one: Ubud.", asked.Body);

        // A second reply does not ask again.
        Fixture.Llm.DefaultReply = FakeReply.Of("Day two: Sidemen.");
        var second = Guid.CreateVersion7();
        await browser.PostHtmxAsync($"/c/{chat}/send", token, ("MessageId", Guid.CreateVersion7().ToString()), ("ReplyId", second.ToString()),
            ("Text", "And then?"));
        await Store.ForReplyToEndAsync(second);
        await Task.Delay(300);
        Assert.Single(Fixture.Llm.Requests, IsTitleRequest);
    }

    [Fact]
    public async Task a_name_the_user_gave_is_never_replaced()
    {
        var browser = await SignedInAsync();
        // The reply waits long enough for the rename to come first.
        Fixture.Llm.Enqueue(new FakeReply { Text = "Day one: Ubud.", FirstTokenDelay = TimeSpan.FromSeconds(2) }, FakeReply.Of("A Quiet Week on Bali"));

        var (chat, reply, token) = await browser.StartChatAsync(Question);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.PostWithTokenAsync($"/c/{chat}?handler=Rename", token, ("title", "Honeymoon"))).StatusCode);
        await Store.ForReplyToEndAsync(reply);

        var renames = await AfterTheTitleAsync(chat, asked: false, renames: 1);
        Assert.Equal([("Honeymoon", false)], renames.Select(r => (r.Title, r.Automatic)));
        Assert.Equal("Honeymoon", await TitleAsync(chat));
        Assert.DoesNotContain(Fixture.Llm.Requests, IsTitleRequest); // not even asked
    }

    [Fact]
    public async Task when_the_model_cannot_name_it_the_first_words_stay()
    {
        var browser = await SignedInAsync();
        Fixture.Llm.Enqueue(FakeReply.Of("Day one: Ubud."), new FakeReply { ErrorStatus = 500 }, FakeReply.Of("Never used"));

        var (chat, reply, _) = await browser.StartChatAsync(Question);
        await Store.ForReplyToEndAsync(reply);

        Assert.Empty(await AfterTheTitleAsync(chat, asked: true, renames: 0));
        Assert.Equal("Plan a quiet week on Bali for two people who like…", await TitleAsync(chat));
        Assert.Single(Fixture.Llm.Requests, IsTitleRequest); // asked once, not retried
    }
}
