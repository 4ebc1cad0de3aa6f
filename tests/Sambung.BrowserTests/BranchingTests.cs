using Microsoft.Playwright;
using Sambung.BrowserTests.Support;
using Sambung.FakeProviders;
using static Microsoft.Playwright.Assertions;

namespace Sambung.BrowserTests;

[Collection("browser")]
public sealed class BranchingTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    [Fact]
    public async Task editing_a_message_makes_a_new_version_and_the_original_is_one_click_away()
    {
        Fixture.Llm.Enqueue(FakeReply.Of("Answer to the original."), FakeReply.Of("Answer to the edit."));
        var page = await Fixture.SignedInPageAsync();
        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Message" }).FillAsync("Original question");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
        var userMessage = page.Locator("li.message.user").First;
        await Expect(page.Locator("li.message.assistant").Last).ToContainTextAsync("Answer to the original.");

        await userMessage.GetByText("Edit", new() { Exact = true }).ClickAsync();
        await userMessage.GetByRole(AriaRole.Textbox, new() { Name = "Edit message" }).FillAsync("Edited question");
        await userMessage.GetByRole(AriaRole.Button, new() { Name = "Save and send" }).ClickAsync();

        await Expect(page.Locator("li.message.assistant").Last).ToContainTextAsync("Answer to the edit.");
        await Expect(page.Locator("li.message.user").First).ToContainTextAsync("Edited question");
        await Expect(page.Locator("li.message.user").First.Locator(".version-count")).ToHaveTextAsync("2 / 2");

        await page.Locator("li.message.user").First.GetByRole(AriaRole.Button, new() { Name = "Previous version" }).ClickAsync();

        await Expect(page.Locator("li.message.user").First).ToContainTextAsync("Original question");
        await Expect(page.Locator("li.message.assistant").Last).ToContainTextAsync("Answer to the original.");
        await Expect(page.Locator("li.message.user").First.Locator(".version-count")).ToHaveTextAsync("1 / 2");
        // The choice is an event: a reload shows the same branch.
        await page.ReloadAsync();
        await Expect(page.Locator("li.message.user").First).ToContainTextAsync("Original question");
    }

    [Fact]
    public async Task regenerating_a_reply_keeps_both_replies_as_versions()
    {
        Fixture.Llm.Enqueue(FakeReply.Of("First take."), FakeReply.Of("Second take."));
        var page = await Fixture.SignedInPageAsync();
        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Message" }).FillAsync("Give me a take");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
        var reply = page.Locator("li.message.assistant").Last;
        await Expect(reply).ToContainTextAsync("First take.");

        // The Regenerate button arrives with the end of the stream, without a reload.
        await reply.GetByRole(AriaRole.Button, new() { Name = "Regenerate" }).ClickAsync();

        await Expect(page.Locator("li.message.assistant").Last).ToContainTextAsync("Second take.");
        await Expect(page.Locator("li.message.assistant").Last.Locator(".version-count")).ToHaveTextAsync("2 / 2");
        await page.Locator("li.message.assistant").Last.GetByRole(AriaRole.Button, new() { Name = "Previous version" }).ClickAsync();
        await Expect(page.Locator("li.message.assistant").Last).ToContainTextAsync("First take.");
    }
}
