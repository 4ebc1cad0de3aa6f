using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Sambung.BrowserTests.Support;
using Sambung.FakeProviders;
using static Microsoft.Playwright.Assertions;

namespace Sambung.BrowserTests;

[Collection("browser")]
public sealed class WorkspaceTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    private static async Task StartChatAsync(IPage page, string text)
    {
        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Message" }).FillAsync(text);
        await page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
        await Expect(page.Locator("li.message.assistant .message-actions")).ToContainTextAsync("Regenerate");
    }

    [Fact]
    public async Task a_person_renames_pins_deletes_undoes_and_empties_a_chat_from_trash()
    {
        Fixture.Llm.Enqueue(FakeReply.Of("First answer."), FakeReply.Of("Second answer."));
        var page = await Fixture.SignedInPageAsync();
        await StartChatAsync(page, "An older question");
        await StartChatAsync(page, "Groceries for the week");
        var sidebar = page.GetByRole(AriaRole.Navigation, new() { Name = "Chats" });
        await Expect(sidebar.GetByRole(AriaRole.Heading, new() { Name = "Today" })).ToBeVisibleAsync();

        await page.GetByText("Rename", new() { Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Chat title" }).FillAsync("Shopping list");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save title" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Shopping list", Level = 1 })).ToBeVisibleAsync();
        await Expect(sidebar.GetByRole(AriaRole.Link, new() { Name = "Shopping list" })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Pin chat" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Unpin chat" })).ToBeVisibleAsync();
        // Pinned comes first in the sidebar, under its own heading.
        await Expect(sidebar.Locator("#chat-list > li").Nth(0)).ToHaveTextAsync("Pinned");
        await Expect(sidebar.Locator("#chat-list > li").Nth(1)).ToHaveTextAsync("Shopping list");

        await page.GetByRole(AriaRole.Button, new() { Name = "Delete chat" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "moved to Trash" })).ToContainTextAsync("“Shopping list” moved to Trash.");
        await Expect(sidebar.GetByRole(AriaRole.Link, new() { Name = "Shopping list" })).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Button, new() { Name = "Undo" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Shopping list", Level = 1 })).ToBeVisibleAsync();
        await Expect(sidebar.GetByRole(AriaRole.Link, new() { Name = "Shopping list" })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Delete chat" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Undo" })).ToBeVisibleAsync();
        await page.GotoAsync("/trash");
        await page.GetByText("Delete forever", new() { Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, delete forever" }).ClickAsync();
        await Expect(page.Locator("p.notice[role=status]")).ToContainTextAsync("deleted forever");
        await Expect(page.GetByText("Trash is empty.")).ToBeVisibleAsync();

        foreach (var url in new[] { "/trash", "/" })
        {
            await page.GotoAsync(url);
            await page.AssertNoSeriousViolationsAsync();
        }
    }

    [Fact]
    public async Task ctrl_k_searches_the_chats_and_a_result_opens_the_conversation_at_that_message()
    {
        var word = $"quokka{Guid.NewGuid():N}"[..12];
        Fixture.Llm.Enqueue(FakeReply.Of($"A {word} is a small wallaby."), FakeReply.Of("Unrelated."));
        var page = await Fixture.SignedInPageAsync();
        await StartChatAsync(page, "Tell me about Rottnest Island");
        await StartChatAsync(page, "Something else entirely");

        await page.Keyboard.PressAsync("Control+K");
        var search = page.GetByRole(AriaRole.Searchbox, new() { Name = "Search chats" });
        await Expect(search).ToBeFocusedAsync();
        await search.FillAsync(word);
        await search.PressAsync("Enter");

        await Expect(page.Locator("p[role=status]")).ToHaveTextAsync("1 chat found.");
        await Expect(page.Locator(".search-hits mark")).ToHaveTextAsync(word);
        await page.Locator(".search-hits a").First.ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Tell me about Rottnest Island", Level = 1 })).ToBeVisibleAsync();
        var hit = page.Locator("li.message.assistant:target");
        await Expect(hit).ToContainTextAsync($"A {word} is a small wallaby.");
        await Expect(hit).ToBeInViewportAsync();
        await page.AssertNoSeriousViolationsAsync();
    }

    [Fact]
    public async Task typing_in_the_search_box_shows_results_after_a_pause_and_the_filters_narrow_them()
    {
        var word = $"numbat{Guid.NewGuid():N}"[..12];
        Fixture.Llm.Enqueue(FakeReply.Of($"About {word}."), FakeReply.Of($"More {word}."));
        var page = await Fixture.SignedInPageAsync();
        await StartChatAsync(page, $"First {word}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Pin chat" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Unpin chat" })).ToBeVisibleAsync();
        await StartChatAsync(page, $"Second {word}");

        // No Enter: the results come when typing pauses, and the focus stays in the box.
        var search = page.GetByRole(AriaRole.Navigation, new() { Name = "Chats" }).GetByRole(AriaRole.Searchbox, new() { Name = "Search chats" });
        await search.PressSequentiallyAsync(word);
        var status = page.Locator("#search-results p[role=status]");
        await Expect(status).ToHaveTextAsync("2 chats found.");
        await Expect(search).ToBeFocusedAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/search\\?q={word}$"));

        await page.Locator(".search-filters summary").ClickAsync();
        await page.GetByLabel("Pinned chats only").CheckAsync();
        await Expect(status).ToHaveTextAsync("1 chat found.");
        await Expect(page.Locator(".search-chat")).ToHaveTextAsync($"First {word}");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("pinned=true"));

        await page.GetByLabel("From", new() { Exact = true }).FillAsync(DateTime.UtcNow.AddDays(3).ToString("yyyy-MM-dd"));
        await Expect(status).ToHaveTextAsync($"Nothing found for “{word}”.");
        await page.GetByLabel("To", new() { Exact = true }).FillAsync(DateTime.UtcNow.AddDays(-3).ToString("yyyy-MM-dd"));
        await Expect(page.Locator("#search-results [role=alert]")).ToContainTextAsync("The start date is after the end date.");
        await page.AssertNoSeriousViolationsAsync();
    }

    [Fact]
    public async Task a_theme_and_text_size_apply_at_once_and_the_pages_pass_axe_dark_and_in_indonesian()
    {
        Fixture.Llm.Enqueue(FakeReply.Of("Jawaban **pertama**."));
        var page = await Fixture.SignedInPageAsync();
        await page.GotoAsync("/settings");
        var html = page.Locator("html");

        await page.GetByLabel("Dark").CheckAsync();
        await Expect(html).ToHaveAttributeAsync("data-theme", "dark");
        await page.GetByLabel("Larger").CheckAsync();
        await Expect(html).ToHaveAttributeAsync("data-text", "3");
        await Expect(page.Locator("#settings-status")).ToHaveTextAsync("Settings saved.");
        await page.GetByLabel("Bahasa Indonesia").CheckAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Pengaturan", Level = 1 })).ToBeVisibleAsync(); // reloaded in Indonesian

        await page.GotoAsync("/");
        await Expect(html).ToHaveAttributeAsync("data-theme", "dark");
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Pesan" }).FillAsync("Halo");
        await page.GetByRole(AriaRole.Button, new() { Name = "Kirim", Exact = true }).ClickAsync();
        await Expect(page.Locator("li.message.assistant strong")).ToHaveTextAsync("pertama");
        foreach (var url in new[] { page.Url, "/settings", "/trash", "/search?q=halo", "/account/profile" })
        {
            await page.GotoAsync(url);
            await page.AssertNoSeriousViolationsAsync();
        }
    }

    [Fact]
    public async Task messages_copy_and_the_keyboard_shortcuts_work_in_a_conversation_logged_for_screen_readers()
    {
        Fixture.Llm.Enqueue(FakeReply.Of("Copy **this** answer."));
        var page = await Fixture.SignedInPageAsync();
        await page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new() { Origin = Fixture.App.BaseUrl });
        await StartChatAsync(page, "Something to copy");

        var log = page.GetByRole(AriaRole.Log, new() { Name = "Messages" });
        var reply = log.Locator("li.message.assistant");
        await reply.GetByRole(AriaRole.Button, new() { Name = "Copy", Exact = true }).ClickAsync();
        await Expect(reply.GetByRole(AriaRole.Button, new() { Name = "Copied", Exact = true })).ToBeVisibleAsync();
        Assert.Equal("Copy this answer.", await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
        await Expect(log.Locator("li.message.user").GetByRole(AriaRole.Button, new() { Name = "Copy", Exact = true })).ToBeVisibleAsync();

        await page.Locator("body").PressAsync("?");
        var shortcuts = page.GetByRole(AriaRole.Dialog, new() { Name = "Keyboard shortcuts" });
        await Expect(shortcuts).ToBeVisibleAsync();
        await Expect(shortcuts).ToContainTextAsync("Ctrl/⌘+K");
        await page.Keyboard.PressAsync("Escape");
        await Expect(shortcuts).ToBeHiddenAsync();

        var sidebar = page.GetByRole(AriaRole.Navigation, new() { Name = "Chats" });
        await page.Keyboard.PressAsync("Control+B");
        await Expect(sidebar).ToBeHiddenAsync();
        await page.Keyboard.PressAsync("Control+B");
        await Expect(sidebar).ToBeVisibleAsync();

        await page.Keyboard.PressAsync("Control+Shift+O");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/$"));
        await Expect(page.GetByRole(AriaRole.Textbox, new() { Name = "Message" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task a_person_files_a_chat_in_a_folder_tags_it_and_filters_the_sidebar_by_both()
    {
        Fixture.Llm.Enqueue(FakeReply.Of("Noted."), FakeReply.Of("Sure."));
        var page = await Fixture.SignedInPageAsync();
        await StartChatAsync(page, "Holiday budget");
        var filed = page.Url;
        await StartChatAsync(page, "Unfiled thoughts");

        await page.GotoAsync("/folders");
        await page.GetByLabel("New folder name").FillAsync("Travel");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create folder" }).ClickAsync();
        await Expect(page.Locator("p.notice[role=status]")).ToHaveTextAsync("Folder created.");
        await page.AssertNoSeriousViolationsAsync();

        await page.GotoAsync(filed);
        var moved = page.WaitForResponseAsync(r => r.Url.Contains("handler=Move") && r.Status == 200);
        await page.GetByRole(AriaRole.Combobox, new() { Name = "Folder" }).SelectOptionAsync(new SelectOptionValue { Label = "Travel" });
        await moved;
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Add a tag" }).FillAsync("Money");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add tag" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.List, new() { Name = "Tags" })).ToContainTextAsync("#Money");

        var sidebar = page.GetByRole(AriaRole.Navigation, new() { Name = "Chats" });
        await sidebar.GetByText("Folders and tags").ClickAsync();
        await sidebar.GetByRole(AriaRole.Link, new() { Name = "Travel" }).ClickAsync();
        await Expect(sidebar.GetByRole(AriaRole.Link, new() { Name = "Holiday budget" })).ToBeVisibleAsync();
        await Expect(sidebar.GetByRole(AriaRole.Link, new() { Name = "Unfiled thoughts" })).ToHaveCountAsync(0);
        await sidebar.GetByRole(AriaRole.Link, new() { Name = "#Money" }).ClickAsync();
        await Expect(sidebar.GetByRole(AriaRole.Link, new() { Name = "Holiday budget" })).ToBeVisibleAsync();
        await sidebar.GetByRole(AriaRole.Link, new() { Name = "All chats" }).ClickAsync();
        await Expect(sidebar.GetByRole(AriaRole.Link, new() { Name = "Unfiled thoughts" })).ToBeVisibleAsync();

        // With a mouse, a chat can also be dragged onto a folder.
        await sidebar.GetByText("Folders and tags").ClickAsync();
        var dropped = page.WaitForResponseAsync(r => r.Url.Contains("handler=Move") && r.Request.Method == "POST");
        await sidebar.GetByRole(AriaRole.Link, new() { Name = "Unfiled thoughts" })
            .DragToAsync(sidebar.GetByRole(AriaRole.Link, new() { Name = "Travel" }));
        Assert.True((await dropped).Ok);
        await Expect(page.Locator("#chat-status")).ToHaveTextAsync("Moved to “Travel”.");
        await sidebar.GetByRole(AriaRole.Link, new() { Name = "Travel" }).ClickAsync();
        await Expect(sidebar.GetByRole(AriaRole.Link, new() { Name = "Unfiled thoughts" })).ToBeVisibleAsync();
        await Expect(sidebar.GetByRole(AriaRole.Link, new() { Name = "Holiday budget" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task another_tab_of_the_same_person_sees_a_new_chat_and_a_rename_in_its_sidebar_without_a_reload()
    {
        Fixture.Llm.Enqueue(FakeReply.Of("First."), FakeReply.Of("Second."));
        var first = await Fixture.SignedInPageAsync();
        await StartChatAsync(first, "Tab one chat");
        var second = await first.Context.NewPageAsync();
        await second.GotoAsync("/");
        var sidebar = second.GetByRole(AriaRole.Navigation, new() { Name = "Chats" });
        await Expect(sidebar.GetByRole(AriaRole.Link, new() { Name = "Tab one chat" })).ToBeVisibleAsync();
        await second.GetByRole(AriaRole.Textbox, new() { Name = "Message" }).FillAsync("Half-written, not lost");

        await StartChatAsync(first, "A chat started elsewhere");
        await Expect(sidebar.GetByRole(AriaRole.Link, new() { Name = "A chat started elsewhere" })).ToBeVisibleAsync();
        await first.GetByText("Rename", new() { Exact = true }).ClickAsync();
        await first.GetByRole(AriaRole.Textbox, new() { Name = "Chat title" }).FillAsync("Renamed in tab one");
        await first.GetByRole(AriaRole.Button, new() { Name = "Save title" }).ClickAsync();

        await Expect(sidebar.GetByRole(AriaRole.Link, new() { Name = "Renamed in tab one" })).ToBeVisibleAsync();
        await Expect(second.GetByRole(AriaRole.Textbox, new() { Name = "Message" })).ToHaveValueAsync("Half-written, not lost");
    }
}
