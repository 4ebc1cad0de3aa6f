using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Sambung.BrowserTests.Support;
using Sambung.FakeProviders;
using static Microsoft.Playwright.Assertions;

namespace Sambung.BrowserTests;

[Collection("browser")]
public sealed class TreeTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    // A chat with two versions of its first message; the edit is on screen.
    private async Task<IPage> ChatWithTwoBranchesAsync()
    {
        Fixture.Llm.Enqueue(FakeReply.Of("Answer to the original."), FakeReply.Of("Answer to the edit."));
        var page = await Fixture.SignedInPageAsync();
        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Message" }).FillAsync("Original question");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
        await Expect(page.Locator("li.message.assistant").Last).ToContainTextAsync("Answer to the original.");
        var userMessage = page.Locator("li.message.user").First;
        await userMessage.GetByText("Edit", new() { Exact = true }).ClickAsync();
        await userMessage.GetByRole(AriaRole.Textbox, new() { Name = "Edit message" }).FillAsync("Edited question");
        await userMessage.GetByRole(AriaRole.Button, new() { Name = "Save and send" }).ClickAsync();
        await Expect(page.Locator("li.message.assistant").Last).ToContainTextAsync("Answer to the edit.");
        return page;
    }

    private static async Task OpenTreeAsync(IPage page)
    {
        await page.GetByRole(AriaRole.Link, new() { Name = "Tree", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/tree$"));
    }

    [Fact]
    public async Task choosing_a_node_in_the_tree_makes_its_branch_active_and_a_reload_keeps_it()
    {
        var page = await ChatWithTwoBranchesAsync();
        await OpenTreeAsync(page);
        var original = page.GetByRole(AriaRole.Radio, new() { Name = "Original question" });
        await Expect(page.GetByRole(AriaRole.Radio, new() { Name = "Answer to the edit." })).ToBeCheckedAsync();
        await page.AssertNoSeriousViolationsAsync();

        // The keyboard walks the tree: the arrow keys move through the one radio group.
        await page.GetByRole(AriaRole.Radio, new() { Name = "Answer to the edit." }).FocusAsync();
        await page.Keyboard.PressAsync("ArrowUp");
        await Expect(page.GetByRole(AriaRole.Radio, new() { Name = "Edited question" })).ToBeCheckedAsync();
        await original.CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Make active" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex("/c/[0-9a-f-]+$"));
        await Expect(page.Locator("li.message.user").First).ToContainTextAsync("Original question");
        await Expect(page.Locator("li.message.assistant").Last).ToContainTextAsync("Answer to the original.");
        await page.ReloadAsync();
        await Expect(page.Locator("li.message.assistant").Last).ToContainTextAsync("Answer to the original.");
        await OpenTreeAsync(page);
        await Expect(page.GetByRole(AriaRole.Radio, new() { Name = "Answer to the original." })).ToBeCheckedAsync();
    }

    [Fact]
    public async Task two_sibling_replies_compare_side_by_side_and_continue_with_the_first()
    {
        Fixture.Llm.Enqueue(FakeReply.Of("Bali has quiet beaches."), FakeReply.Of("Bali has busy beaches."));
        var page = await Fixture.SignedInPageAsync();
        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Message" }).FillAsync("Describe Bali");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
        var reply = page.Locator("li.message.assistant").Last;
        await Expect(reply).ToContainTextAsync("Bali has quiet beaches.");
        await reply.GetByRole(AriaRole.Button, new() { Name = "Regenerate" }).ClickAsync();
        await Expect(page.Locator("li.message.assistant").Last).ToContainTextAsync("Bali has busy beaches.");

        await page.Locator("li.message.assistant").Last.GetByRole(AriaRole.Link, new() { Name = "Compare versions" }).ClickAsync();

        var table = page.GetByRole(AriaRole.Table);
        await Expect(table.Locator("del")).ToHaveTextAsync("busy");
        await Expect(table.Locator("ins")).ToHaveTextAsync("quiet");
        await page.AssertNoSeriousViolationsAsync();
        // The columns are in the order of the link: this reply first, then the earlier one.
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue with this one" }).Nth(1).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex("/c/[0-9a-f-]+$"));
        await Expect(page.Locator("li.message.assistant").Last).ToContainTextAsync("Bali has quiet beaches.");
        await page.ReloadAsync();
        await Expect(page.Locator("li.message.assistant").Last).ToContainTextAsync("Bali has quiet beaches.");

        // "Compare" on the chat opens the picker of branches.
        await page.GetByRole(AriaRole.Link, new() { Name = "Compare", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Group, new() { Name = "First branch" })).ToBeVisibleAsync();
        await page.AssertNoSeriousViolationsAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Compare", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Table)).ToBeVisibleAsync();
    }

    [Fact]
    public async Task merging_another_branch_from_the_tree_shows_a_merge_that_links_to_its_source()
    {
        var page = await ChatWithTwoBranchesAsync();
        await OpenTreeAsync(page);
        await page.GetByRole(AriaRole.Radio, new() { Name = "Original question" }).CheckAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Merge into the active branch" }).ClickAsync();

        var merge = page.Locator("li.message.merge");
        await Expect(merge).ToContainTextAsync("Answer to the original.");
        await merge.GetByRole(AriaRole.Link, new() { Name = "Merged from this branch" }).ClickAsync();
        await Expect(page.Locator("li.message.assistant").Last).ToContainTextAsync("Answer to the original.");
    }

    [Fact]
    public async Task merging_with_a_written_summary_from_the_tree_shows_the_summary_with_its_source()
    {
        var page = await ChatWithTwoBranchesAsync();
        await OpenTreeAsync(page);
        await page.GetByRole(AriaRole.Radio, new() { Name = "Original question" }).CheckAsync();
        var summary = page.GetByRole(AriaRole.Textbox, new() { Name = "Summary", Exact = true });
        // Copying the turns is the default, and the summary field shows once a summary is chosen.
        await Expect(page.GetByRole(AriaRole.Radio, new() { Name = "Copy the turns" })).ToBeCheckedAsync();
        await Expect(summary).ToBeHiddenAsync();
        await page.GetByRole(AriaRole.Radio, new() { Name = "Write a summary" }).CheckAsync();
        await Expect(summary).ToBeVisibleAsync();
        await page.AssertNoSeriousViolationsAsync();

        // Nothing written: refused beside the field, the choice kept.
        await page.GetByRole(AriaRole.Button, new() { Name = "Merge into the active branch" }).ClickAsync();
        await Expect(page.Locator("#tree-merge-summary-error")).ToContainTextAsync("Write the summary before merging");
        await Expect(page.GetByRole(AriaRole.Radio, new() { Name = "Write a summary" })).ToBeCheckedAsync();
        await Expect(page.GetByRole(AriaRole.Radio, new() { Name = "Original question" })).ToBeCheckedAsync();
        await Expect(summary).ToBeVisibleAsync();

        await summary.FillAsync("The original plan: the same question, asked first.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Merge into the active branch" }).ClickAsync();

        var merge = page.Locator("li.message.merge");
        await Expect(merge).ToContainTextAsync("The original plan: the same question, asked first.");
        await Expect(merge).Not.ToContainTextAsync("Answer to the original.");
        await merge.GetByRole(AriaRole.Link, new() { Name = "Merged from this branch" }).ClickAsync();
        await Expect(page.Locator("li.message.assistant").Last).ToContainTextAsync("Answer to the original.");
    }

    [Fact]
    public async Task forking_from_the_tree_opens_a_new_chat_that_links_back_to_its_source()
    {
        var page = await ChatWithTwoBranchesAsync();
        var source = page.Url;
        await OpenTreeAsync(page);
        await page.GetByRole(AriaRole.Radio, new() { Name = "Answer to the edit." }).CheckAsync();
        await page.GetByLabel("Label", new() { Exact = true }).FillAsync("Keeper");
        await page.GetByLabel("Label", new() { Exact = true }).PressAsync("Enter");
        await Expect(page.Locator("#tree-form mark")).ToHaveTextAsync("Keeper");

        await page.GetByRole(AriaRole.Button, new() { Name = "Fork to a new chat" }).ClickAsync();

        await Expect(page.Locator(".forked-from")).ToContainTextAsync("Forked from");
        Assert.NotEqual(source, page.Url);
        await Expect(page.Locator("li.message.assistant")).ToHaveCountAsync(1);
        await Expect(page.Locator("li.message.assistant")).ToContainTextAsync("Answer to the edit.");
        await page.Locator(".forked-from a").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex(Regex.Escape(source) + "\\?at="));
    }
}
