using System.Text.Json;
using Microsoft.Playwright;
using Sambung.BrowserTests.Support;
using Sambung.FakeProviders;
using static Microsoft.Playwright.Assertions;

namespace Sambung.BrowserTests;

[Collection("browser")]
public sealed class ChatEngineTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    [Fact]
    public async Task escape_stops_the_reply_and_keeps_what_was_written()
    {
        Fixture.Llm.Enqueue(new FakeReply { Chunks = Enumerable.Range(0, 300).Select(i => $"word{i} ").ToList(), ChunkDelay = TimeSpan.FromMilliseconds(40) });
        var page = await Fixture.SignedInPageAsync();
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Message" }).FillAsync("Talk for a long time");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
        var reply = page.Locator("li.message.assistant").Last;
        await Expect(reply).ToContainTextAsync("word5");

        await page.Keyboard.PressAsync("Escape");

        await Expect(reply).ToContainTextAsync("Stopped.");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Stop" })).ToHaveCountAsync(0);
        Assert.DoesNotContain("word299", await reply.InnerTextAsync());
        await page.ReloadAsync();
        await Expect(page.Locator("li.message.assistant").Last).ToContainTextAsync("word5");
    }

    [Fact]
    public async Task a_failed_reply_says_why_in_the_bubble_and_retry_brings_an_answer()
    {
        Fixture.Llm.Enqueue(new FakeReply { ErrorStatus = 401, ErrorMessage = "Incorrect API key provided" }, FakeReply.Of("Now it works."));
        var page = await Fixture.SignedInPageAsync();
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Message" }).FillAsync("Hello?");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();

        var reply = page.Locator("li.message.assistant").Last;
        await Expect(reply.GetByRole(AriaRole.Alert)).ToContainTextAsync("The provider refused the API key.");
        await Expect(reply).ToContainTextAsync("Incorrect API key provided");
        await reply.GetByRole(AriaRole.Button, new() { Name = "Retry" }).ClickAsync();

        await Expect(page.Locator("li.message.assistant").Last).ToContainTextAsync("Now it works.");
        await Expect(page.Locator("li.message.assistant").Last.Locator(".version-count")).ToHaveTextAsync("2 / 2");
    }

    [Fact]
    public async Task the_model_combobox_picks_the_model_for_the_next_reply()
    {
        Fixture.Llm.Enqueue(FakeReply.Of("First."), FakeReply.Of("Second."));
        var page = await Fixture.SignedInPageAsync();
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Message" }).FillAsync("One");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
        await Expect(page.Locator("li.message.assistant").Last).ToContainTextAsync("First.");

        var model = page.GetByRole(AriaRole.Combobox, new() { Name = "Model" });
        await Expect(model.Locator("option", new() { HasText = "fake-mini" })).ToHaveCountAsync(1);
        var saved = page.WaitForResponseAsync(r => r.Url.Contains("handler=Model"));
        await model.SelectOptionAsync(new SelectOptionValue { Label = "fake-mini" });
        await saved;
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Message" }).FillAsync("Two");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
        await Expect(page.Locator("li.message.assistant").Last).ToContainTextAsync("Second.");

        using var body = JsonDocument.Parse(Fixture.Llm.Requests.Last(r => r.Path.EndsWith("/chat/completions")).Body);
        Assert.Equal("fake-mini", body.RootElement.GetProperty("model").GetString());
        await page.ReloadAsync();
        await Expect(page.GetByRole(AriaRole.Combobox, new() { Name = "Model" })).ToHaveValueAsync("openai|fake-mini");
    }
}
