using Microsoft.Playwright;
using Sambung.BrowserTests.Support;
using static Microsoft.Playwright.Assertions;

namespace Sambung.BrowserTests;

[Collection("browser")]
public sealed class TransferTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    [Fact]
    public async Task a_person_imports_a_chatgpt_export_and_switches_between_its_branches()
    {
        var page = await Fixture.SignedInPageAsync();
        await page.GotoAsync("/settings");
        await page.GetByRole(AriaRole.Link, new() { Name = "Import chats" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Import and export", Level = 1 })).ToBeVisibleAsync();
        await page.AssertNoSeriousViolationsAsync();

        await page.GetByLabel("File to import").SetInputFilesAsync(Path.Combine(AppContext.BaseDirectory, "conversations.json"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Import", Exact = true }).ClickAsync();

        await Expect(page.Locator("p.notice[role=status]")).ToHaveTextAsync("Imported 1 chat.");
        await page.AssertNoSeriousViolationsAsync();
        var sidebar = page.GetByRole(AriaRole.Navigation, new() { Name = "Chats" });
        await sidebar.GetByRole(AriaRole.Link, new() { Name = "Trip to Bali" }).ClickAsync();

        // The branch last seen in ChatGPT is the one on screen; the other version of the first message is one click away.
        var first = page.Locator("li.message.user").First;
        await Expect(first).ToContainTextAsync("Plan a week in Bali");
        await Expect(page.Locator("li.message.assistant").Last).ToContainTextAsync("A cheaper plan…");
        await Expect(first.Locator(".version-count")).ToHaveTextAsync("1 / 2");
        await first.GetByRole(AriaRole.Button, new() { Name = "Next version" }).ClickAsync();
        await Expect(page.Locator("li.message.user").First).ToContainTextAsync("Plan two weeks in Bali");
        await Expect(page.Locator("li.message.assistant").Last).ToContainTextAsync("Week 1: Canggu…");
        await page.Locator("li.message.user").First.GetByRole(AriaRole.Button, new() { Name = "Previous version" }).ClickAsync();
        await Expect(page.Locator("li.message.user").First).ToContainTextAsync("Plan a week in Bali");
        await Expect(page.Locator("li.message.assistant").Last).ToContainTextAsync("A cheaper plan…");
        await page.AssertNoSeriousViolationsAsync();

        // A file that is not a chat is refused on the page, in words.
        await page.GotoAsync("/import");
        await page.GetByLabel("File to import").SetInputFilesAsync(new FilePayload
        {
            Name = "notes.json", MimeType = "application/json", Buffer = "{\"hello\": 1}"u8.ToArray(),
        });
        await page.GetByRole(AriaRole.Button, new() { Name = "Import", Exact = true }).ClickAsync();
        await Expect(page.Locator("p.form-error[role=alert]")).ToContainTextAsync("Sambung cannot import this file.");
    }
}
