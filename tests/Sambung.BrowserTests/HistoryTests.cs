using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Sambung.BrowserTests.Support;
using Sambung.FakeProviders;
using static Microsoft.Playwright.Assertions;

namespace Sambung.BrowserTests;

[Collection("browser")]
public sealed class HistoryTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    private static async Task SendAsync(IPage page, string text, string expectedReply)
    {
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Message" }).FillAsync(text);
        await page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
        await Expect(page.Locator("li.message.assistant").Last).ToContainTextAsync(expectedReply);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Stop" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task a_person_steps_back_through_the_history_and_restores_an_earlier_version()
    {
        Fixture.Llm.Enqueue(FakeReply.Of("Bali has temples."), FakeReply.Of("Lombok has Rinjani."));
        var page = await Fixture.SignedInPageAsync();
        await page.GotoAsync("/");
        await SendAsync(page, "Tell me about Bali", "Bali has temples.");
        await SendAsync(page, "And Lombok?", "Lombok has Rinjani.");

        await page.GetByRole(AriaRole.Link, new() { Name = "History", Exact = true }).ClickAsync();
        await Expect(page.GetByText("Step 7 of 7", new() { Exact = true })).ToBeVisibleAsync();
        var state = page.Locator(".history-state");
        await Expect(state).ToContainTextAsync("Lombok has Rinjani.");
        await page.AssertNoSeriousViolationsAsync();

        // Three steps back: the second question is gone, the first answer is there.
        for (var i = 0; i < 3; i++) await page.GetByRole(AriaRole.Link, new() { Name = "Previous step" }).ClickAsync();
        await Expect(page.GetByText("Step 4 of 7", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(state).ToContainTextAsync("Bali has temples.");
        await Expect(state).Not.ToContainTextAsync("And Lombok?");
        // The slider reaches any step (JavaScript submits it on change).
        await page.GetByRole(AriaRole.Slider, new() { Name = "Step" }).FillAsync("2");
        await Expect(page.GetByText("Step 2 of 7", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(state).Not.ToContainTextAsync("Bali has temples.");
        await page.GetByRole(AriaRole.Link, new() { Name = "Next step" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Next step" }).ClickAsync();
        await Expect(page.GetByText("Step 4 of 7", new() { Exact = true })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Restore this version" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex("/c/[0-9a-f-]+$"));
        await Expect(page.Locator("li.message.assistant").Last).ToContainTextAsync("Bali has temples.");
        await Expect(page.Locator("li.message.user")).ToHaveCountAsync(1);
        // Nothing is lost: the later question is a version away once the conversation goes on from here.
        Fixture.Llm.Enqueue(FakeReply.Of("Java has volcanoes."));
        await SendAsync(page, "And Java?", "Java has volcanoes.");
        await page.ReloadAsync();
        await Expect(page.Locator("li.message.user").Last.Locator(".version-count")).ToHaveTextAsync("2 / 2");
        await page.Locator("li.message.user").Last.GetByRole(AriaRole.Button, new() { Name = "Previous version" }).ClickAsync();
        await Expect(page.Locator("li.message.assistant").Last).ToContainTextAsync("Lombok has Rinjani.");
    }

    [Fact]
    public async Task a_person_sees_what_the_model_saw_and_runs_it_again_with_another_model()
    {
        Fixture.Llm.Enqueue(FakeReply.Of("First answer."), FakeReply.Of("Second answer."), FakeReply.Of("Mini's answer."));
        var page = await Fixture.SignedInPageAsync();
        await page.GotoAsync("/");
        await SendAsync(page, "First question", "First answer.");
        await SendAsync(page, "Second question", "Second answer.");

        var reply = page.Locator("li.message.assistant").Last;
        await reply.GetByRole(AriaRole.Button, new() { Name = "What the model saw" }).ClickAsync();
        var panel = reply.GetByRole(AriaRole.Region, new() { Name = "What the model saw" });
        await Expect(panel).ToBeVisibleAsync();
        await Expect(panel.Locator(".model-saw-text")).ToHaveTextAsync(["First question", "First answer.", "Second question"]);
        await Expect(panel).ToContainTextAsync("openai/fake-gpt");
        await page.AssertNoSeriousViolationsAsync();

        await panel.GetByRole(AriaRole.Combobox, new() { Name = "Model" }).SelectOptionAsync(new SelectOptionValue { Label = "fake-mini" });
        await panel.GetByRole(AriaRole.Button, new() { Name = "Run again" }).ClickAsync();

        var again = page.Locator("li.message.assistant").Last;
        await Expect(again).ToContainTextAsync("Mini's answer.");
        await Expect(again.Locator(".message-model")).ToHaveTextAsync("fake-mini");
        await Expect(again.Locator(".version-count")).ToHaveTextAsync("2 / 2");
        Assert.Equal("fake-mini", Fixture.Llm.Requests.Last(r => r.Path.EndsWith("/chat/completions")).Json()!["model"]!.GetValue<string>());

        // Close hands the focus back to the button.
        await again.GetByRole(AriaRole.Button, new() { Name = "What the model saw" }).ClickAsync();
        await again.GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();
        await Expect(again.GetByRole(AriaRole.Region, new() { Name = "What the model saw" })).ToHaveCountAsync(0);
        await Expect(again.GetByRole(AriaRole.Button, new() { Name = "What the model saw" })).ToBeFocusedAsync();
    }

    [Fact]
    public async Task a_person_asks_two_models_at_once_watches_both_stream_and_continues_with_one()
    {
        Fixture.Llm.Enqueue(FakeReply.Of("Hello."));
        var page = await Fixture.SignedInPageAsync();
        await page.GotoAsync("/");
        await SendAsync(page, "Hi", "Hello.");
        // Slow replies, so both are seen streaming at the same time.
        Fixture.Llm.DefaultReply = new FakeReply
        {
            Chunks = [.. Enumerable.Range(0, 12).Select(i => $"word{i} ")],
            ChunkDelay = TimeSpan.FromMilliseconds(250),
        };

        await page.GetByRole(AriaRole.Textbox, new() { Name = "Message" }).FillAsync("Which island?");
        await page.GetByRole(AriaRole.Button, new() { Name = "Ask several models" }).ClickAsync();
        var choice = page.GetByRole(AriaRole.Region, new() { Name = "Ask several models" });
        await Expect(choice.GetByRole(AriaRole.Textbox, new() { Name = "Message" })).ToHaveValueAsync("Which island?");
        await Expect(choice.GetByRole(AriaRole.Checkbox, new() { Name = "fake-gpt" })).ToBeCheckedAsync();
        await page.AssertNoSeriousViolationsAsync();
        await choice.GetByRole(AriaRole.Checkbox, new() { Name = "fake-mini" }).CheckAsync();
        await choice.GetByRole(AriaRole.Button, new() { Name = "Send to the chosen models" }).ClickAsync();

        var columns = page.Locator(".several-column");
        await Expect(columns).ToHaveCountAsync(2);
        // Both columns have text while both are still being written: two streams in parallel.
        await Expect(columns.Nth(0)).ToContainTextAsync("word1");
        await Expect(columns.Nth(1)).ToContainTextAsync("word1");
        Assert.Equal(2, await page.Locator(".several-column .message-body[aria-busy=true]").CountAsync());
        await Expect(columns.Nth(0).Locator(".message-model")).ToHaveTextAsync("fake-gpt");
        await Expect(columns.Nth(1).Locator(".message-model")).ToHaveTextAsync("fake-mini");
        await Expect(columns.Nth(0)).ToContainTextAsync("word11");
        await Expect(columns.Nth(1)).ToContainTextAsync("word11");
        await Expect(choice).ToHaveCountAsync(0);

        await columns.Nth(0).GetByRole(AriaRole.Button, new() { Name = "Continue with this one" }).ClickAsync();

        await Expect(page.Locator(".several-column")).ToHaveCountAsync(0);
        var chosen = page.Locator("li.message.assistant").Last;
        await Expect(chosen.Locator(".message-model")).ToHaveTextAsync("fake-gpt");
        await Expect(chosen.Locator(".version-count")).ToHaveTextAsync("1 / 2");
        await chosen.GetByRole(AriaRole.Button, new() { Name = "Next version" }).ClickAsync();
        await Expect(page.Locator("li.message.assistant").Last.Locator(".message-model")).ToHaveTextAsync("fake-mini");
    }

    [Fact]
    public async Task a_person_asks_two_models_from_the_new_chat_page_watches_both_stream_and_continues_with_one()
    {
        // Slow replies, so both are seen streaming at the same time.
        Fixture.Llm.DefaultReply = new FakeReply
        {
            Chunks = [.. Enumerable.Range(0, 12).Select(i => $"word{i} ")],
            ChunkDelay = TimeSpan.FromMilliseconds(250),
        };
        var page = await Fixture.SignedInPageAsync();
        await page.GotoAsync("/");

        await page.GetByRole(AriaRole.Textbox, new() { Name = "Message" }).FillAsync("Which island first?");
        await page.GetByRole(AriaRole.Button, new() { Name = "Ask several models" }).ClickAsync();
        var choice = page.GetByRole(AriaRole.Region, new() { Name = "Ask several models" });
        await Expect(choice.GetByRole(AriaRole.Textbox, new() { Name = "Message" })).ToHaveValueAsync("Which island first?");
        await Expect(choice.GetByRole(AriaRole.Checkbox, new() { Name = "fake-gpt" })).ToBeCheckedAsync();
        await page.AssertNoSeriousViolationsAsync();
        await choice.GetByRole(AriaRole.Checkbox, new() { Name = "fake-mini" }).CheckAsync();
        await choice.GetByRole(AriaRole.Button, new() { Name = "Send to the chosen models" }).ClickAsync();

        // The new chat opens with the message and both replies side by side, streaming in parallel.
        await Expect(page).ToHaveURLAsync(new Regex("/c/[0-9a-f-]+\\?several=[0-9a-f-]+$"));
        await Expect(page.Locator("li.message.user")).ToContainTextAsync("Which island first?");
        var columns = page.Locator(".several-column");
        await Expect(columns).ToHaveCountAsync(2);
        await Expect(columns.Nth(0)).ToContainTextAsync("word1");
        await Expect(columns.Nth(1)).ToContainTextAsync("word1");
        Assert.Equal(2, await page.Locator(".several-column .message-body[aria-busy=true]").CountAsync());
        await Expect(columns.Nth(0).Locator(".message-model")).ToHaveTextAsync("fake-gpt");
        await Expect(columns.Nth(1).Locator(".message-model")).ToHaveTextAsync("fake-mini");
        await Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Chats" }).GetByRole(AriaRole.Link, new() { Name = "Which island first?" }))
            .ToBeVisibleAsync();
        await Expect(columns.Nth(0)).ToContainTextAsync("word11");
        await Expect(columns.Nth(1)).ToContainTextAsync("word11");

        await columns.Nth(1).GetByRole(AriaRole.Button, new() { Name = "Continue with this one" }).ClickAsync();

        await Expect(page.Locator(".several-column")).ToHaveCountAsync(0);
        await Expect(page).ToHaveURLAsync(new Regex("/c/[0-9a-f-]+$"));
        await page.ReloadAsync();
        var chosen = page.Locator("li.message.assistant").Last;
        await Expect(chosen.Locator(".message-model")).ToHaveTextAsync("fake-mini");
        await Expect(chosen.Locator(".version-count")).ToHaveTextAsync("2 / 2");
        await Expect(page.Locator("li.message.assistant")).ToHaveCountAsync(1);
    }
}
