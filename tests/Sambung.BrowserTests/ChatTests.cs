using System.Text.RegularExpressions;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Sambung.BrowserTests.Support;
using Sambung.FakeProviders;
using static Microsoft.Playwright.Assertions;

namespace Sambung.BrowserTests;

[Collection("browser")]
public sealed partial class ChatTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    [Fact]
    public async Task a_person_sends_a_message_sees_the_reply_stream_in_and_finds_it_again_after_a_reload()
    {
        var words = "Sambung streams **every** word as it arrives from the model".Split(' ');
        Fixture.Llm.Enqueue(new FakeReply
        {
            Chunks = words.Select((w, i) => i == 0 ? w : " " + w).ToList(),
            ChunkDelay = TimeSpan.FromMilliseconds(250),
        });
        var page = await Fixture.SignedInPageAsync();
        await page.GotoAsync("/");

        await page.GetByRole(AriaRole.Textbox, new() { Name = "Message" }).FillAsync("Tell me about streaming");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();

        await Expect(page).ToHaveURLAsync(ChatUrl());
        var reply = page.Locator("li.message.assistant").Last;
        // Part of the text is on screen while the rest is still coming: it streams, it is not delivered at once.
        await Expect(reply).ToContainTextAsync("Sambung streams");
        Assert.DoesNotContain("the model", await reply.InnerTextAsync());
        await Expect(reply.Locator("strong")).ToHaveTextAsync("every");
        await Expect(reply).ToContainTextAsync("as it arrives from the model");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Stop" })).ToHaveCountAsync(0);

        await page.ReloadAsync();
        await Expect(page.Locator("li.message.user")).ToContainTextAsync("Tell me about streaming");
        await Expect(page.Locator("li.message.assistant strong")).ToHaveTextAsync("every");
        await Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Chats" }).GetByRole(AriaRole.Link, new() { Name = "Tell me about streaming" })).ToBeVisibleAsync();
    }

    // A signed-in user's new chat, started with "One" from the keyboard, once its reply ("First reply.") is in; the
    // provider's next replies are queued after it.
    private async Task<(IPage Page, ILocator Box)> ChatWithOneExchangeAsync(params FakeReply[] next)
    {
        Fixture.Llm.Enqueue([FakeReply.Of("First reply."), .. next]);
        var page = await Fixture.SignedInPageAsync();
        await page.GotoAsync("/");
        var box = page.GetByRole(AriaRole.Textbox, new() { Name = "Message" });
        await box.FillAsync("One");
        await box.PressAsync("Enter");
        await Expect(page.Locator("li.message.assistant").Last).ToContainTextAsync("First reply.");
        return (page, box);
    }

    [Fact]
    public async Task a_conversation_continues_without_reloading_the_page()
    {
        var (page, _) = await ChatWithOneExchangeAsync(FakeReply.Of("Second reply."), FakeReply.Of("Third reply."));
        var url = page.Url;
        // A marker that a full page load would wipe: htmx must swap the exchange in, not the browser reload.
        await page.EvaluateAsync("() => { window.sambungTestMarker = 42; }");

        await page.GetByRole(AriaRole.Textbox, new() { Name = "Message" }).FillAsync("Two");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
        await Expect(page.Locator("li.message.assistant").Last).ToContainTextAsync("Second reply.");
        await Expect(page.GetByRole(AriaRole.Textbox, new() { Name = "Message" })).ToHaveValueAsync("");

        // The reply's end moved the stream version on; the composer learned it, so this is not a conflict.
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Message" }).FillAsync("Three");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
        await Expect(page.Locator("li.message.assistant").Last).ToContainTextAsync("Third reply.");
        await Expect(page.Locator("#composer-error")).ToBeEmptyAsync();
        Assert.Equal(url, page.Url);
        Assert.Equal(42, await page.EvaluateAsync<int>("() => window.sambungTestMarker"));
        await Expect(page.Locator("li.message")).ToHaveCountAsync(6);
    }

    [Fact]
    public async Task past_the_hourly_message_limit_the_wait_shows_above_the_composer_and_the_text_stays()
    {
        var (page, box) = await ChatWithOneExchangeAsync();

        // The rest of this user's hourly messages (100 here), spent by empty sends, which are refused but counted.
        var send = await page.Locator("#composer").GetAttributeAsync("hx-post");
        var token = await page.Locator("#composer input[name=__RequestVerificationToken]").InputValueAsync();
        for (var spent = 1; spent < 100; spent++)
        {
            var form = page.Context.APIRequest.CreateFormData();
            form.Set("__RequestVerificationToken", token);
            form.Set("MessageId", Guid.CreateVersion7().ToString());
            form.Set("ReplyId", Guid.CreateVersion7().ToString());
            form.Set("Text", " ");
            var answer = await page.Context.APIRequest.PostAsync(Fixture.App.BaseUrl + send, new() { Form = form, Headers = new Dictionary<string, string> { ["HX-Request"] = "true" } });
            Assert.Equal(200, answer.Status);
        }

        await box.FillAsync("One more, please");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
        await Expect(page.Locator("#composer-error[role=alert]")).ToContainTextAsync("Too many requests. Try again in");
        await Expect(box).ToHaveValueAsync("One more, please");
        await Expect(page.Locator("li.message")).ToHaveCountAsync(2);
    }

    [Fact]
    public async Task model_output_is_rendered_as_safe_markdown_and_never_runs_as_script()
    {
        Fixture.Llm.Enqueue(FakeReply.Of("<img src=x onerror=\"document.title='pwned'\"> [click](javascript:alert(1)) `code`"));
        var page = await Fixture.SignedInPageAsync();
        var dialogs = 0;
        page.Dialog += (_, d) => { dialogs++; _ = d.DismissAsync(); };
        await page.GotoAsync("/");

        await page.GetByRole(AriaRole.Textbox, new() { Name = "Message" }).FillAsync("<b>not bold</b>");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
        var reply = page.Locator("li.message.assistant").Last;
        await Expect(reply.Locator("code")).ToHaveTextAsync("code");

        await Expect(reply.Locator("img")).ToHaveCountAsync(0);
        await Expect(reply.Locator("a[href^='javascript']")).ToHaveCountAsync(0);
        await Expect(page.Locator("li.message.user")).ToContainTextAsync("<b>not bold</b>");
        Assert.NotEqual("pwned", await page.TitleAsync());
        Assert.Equal(0, dialogs);
    }

    [Fact]
    public async Task the_chat_pages_have_no_serious_accessibility_violations()
    {
        Fixture.Llm.Enqueue(FakeReply.Of("An accessible reply with a [link](https://example.org)."));
        var page = await Fixture.SignedInPageAsync();
        await page.GotoAsync("/");
        await page.AssertNoSeriousViolationsAsync();

        await page.GetByRole(AriaRole.Textbox, new() { Name = "Message" }).FillAsync("Check me");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
        await Expect(page.Locator("li.message.assistant").Last).ToContainTextAsync("An accessible reply");
        await page.AssertNoSeriousViolationsAsync();
    }

    [Fact]
    public async Task the_page_speaks_indonesian_to_a_browser_that_asks_for_it()
    {
        var page = await Fixture.SignedInPageAsync(locale: "id-ID");
        await page.GotoAsync("/");

        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Kirim", Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Textbox, new() { Name = "Pesan" })).ToBeVisibleAsync();
        Assert.Equal("id", await page.Locator("html").GetAttributeAsync("lang"));
    }


    [GeneratedRegex("/c/[0-9a-f-]{36}$")]
    private static partial Regex ChatUrl();
}
