using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Sambung.BrowserTests.Support;
using Sambung.FakeProviders;
using static Microsoft.Playwright.Assertions;

namespace Sambung.BrowserTests;

[Collection("browser")]
public sealed class PromptTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    public static TheoryData<string, string> Looks => new() { { "light", "en" }, { "dark", "id" } };

    private static async Task<string> CreatePromptAsync(IPage page, string name, string text)
    {
        await page.GotoAsync("/prompts/edit");
        await page.Locator("#prompt-name").FillAsync(name);
        await page.Locator("#prompt-text").FillAsync(text);
        await page.Locator("form.form button[type=submit]").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = name, Level = 1 })).ToBeVisibleAsync();
        return new Uri(page.Url).AbsolutePath;
    }

    [Fact]
    public async Task typing_a_slash_lists_prompts_filters_them_and_enter_puts_one_in_the_composer_then_it_is_sent()
    {
        Fixture.Llm.Enqueue(FakeReply.Of("Selamat pagi."));
        var page = await Fixture.SignedInPageAsync();
        await CreatePromptAsync(page, "Greeting", "Hello there, I am {{user_name}}.");
        await page.GotoAsync("/");
        var composer = page.Locator("#composer-text");
        var list = page.GetByRole(AriaRole.Listbox, new() { Name = "Prompts" });

        await composer.PressSequentiallyAsync("/");
        await Expect(list).ToBeVisibleAsync();
        await Expect(composer).ToHaveAttributeAsync("role", "combobox");
        await Expect(composer).ToHaveAttributeAsync("aria-expanded", "true");
        await Expect(composer).ToHaveAttributeAsync("aria-controls", "prompt-commands");
        await Expect(list.GetByRole(AriaRole.Option, new() { Name = "Greeting" })).ToBeVisibleAsync();
        await Expect(list.GetByRole(AriaRole.Option, new() { Name = "Summarize" })).ToBeVisibleAsync();
        await Expect(composer).ToHaveAttributeAsync("aria-activedescendant", "prompt-option-0");
        await composer.PressAsync("ArrowDown");
        await Expect(composer).ToHaveAttributeAsync("aria-activedescendant", "prompt-option-1");
        await Expect(page.Locator("#prompt-option-1")).ToHaveAttributeAsync("aria-selected", "true");
        await composer.PressAsync("ArrowUp");
        await Expect(composer).ToHaveAttributeAsync("aria-activedescendant", "prompt-option-0");
        await composer.PressAsync("Escape");
        await Expect(list).ToBeHiddenAsync();
        await Expect(composer).Not.ToHaveAttributeAsync("aria-expanded", "true");
        await Expect(page.GetByRole(AriaRole.Textbox, new() { Name = "Message" })).ToBeVisibleAsync(); // a text box again

        await composer.PressSequentiallyAsync("gree");
        await Expect(list.GetByRole(AriaRole.Option)).ToHaveCountAsync(1);
        await composer.PressAsync("Enter");
        await Expect(composer).ToHaveValueAsync("Hello there, I am Tester.");
        await Expect(list).ToBeHiddenAsync();
        await Expect(page.Locator("#composer-template-version")).ToHaveValueAsync("1");
        await composer.FillAsync("");
        await Expect(page.Locator("#composer-template-id")).ToHaveValueAsync("");

        // A prompt with variables opens its form; the preview follows the typing; "Use" fills the composer.
        await composer.PressSequentiallyAsync("/translate");
        await Expect(list.GetByRole(AriaRole.Option)).ToHaveCountAsync(1);
        await composer.PressAsync("Enter");
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Translate" });
        await Expect(dialog).ToBeVisibleAsync();
        await Expect(dialog.GetByLabel("language")).ToHaveValueAsync("Indonesian");
        await dialog.GetByLabel("text", new() { Exact = true }).FillAsync("Good <b>morning</b>");
        await Expect(dialog.Locator("#prompt-preview")).ToContainTextAsync("Good <b>morning</b>");
        await Expect(dialog.Locator("#prompt-preview b")).ToHaveCountAsync(0);
        await page.AssertNoSeriousViolationsAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Use this prompt" }).ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();
        await Expect(composer).ToHaveValueAsync(new Regex("^Translate the following text into Indonesian\\..*Good <b>morning</b>$", RegexOptions.Singleline));
        await Expect(composer).ToBeFocusedAsync();
        var builtInId = new Guid(System.Security.Cryptography.SHA256.HashData("sambung-builtin-prompt:translate"u8).AsSpan(0, 16));
        await Expect(page.Locator("#composer-template-id")).ToHaveValueAsync(builtInId.ToString());

        await composer.PressAsync("Enter");
        await Expect(page).ToHaveURLAsync(new Regex("/c/[0-9a-f-]+$"));
        await Expect(page.Locator("li.message.assistant")).ToContainTextAsync("Selamat pagi.");
        Assert.Contains(Fixture.Llm.Requests, r => r.Body.Contains("Translate the following text into Indonesian"));
    }

    [Fact]
    public async Task in_a_chat_the_slash_menu_fills_that_chat_s_composer()
    {
        Fixture.Llm.Enqueue(FakeReply.Of("First answer."), FakeReply.Of("Second answer."));
        var page = await Fixture.SignedInPageAsync();
        await page.GotoAsync("/");
        await page.Locator("#composer-text").FillAsync("Hi");
        await page.Locator("#composer-text").PressAsync("Enter");
        await Expect(page.Locator("li.message.assistant .message-actions")).ToBeVisibleAsync();

        var composer = page.Locator("#composer-text");
        await composer.PressSequentiallyAsync("/brain");
        // Enter chooses once the list is there (the prompts load on the first "/"); before that it would send.
        await Expect(page.GetByRole(AriaRole.Listbox, new() { Name = "Prompts" }).GetByRole(AriaRole.Option, new() { Name = "Brainstorm" })).ToBeVisibleAsync();
        await composer.PressAsync("Enter");
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Brainstorm" });
        await dialog.GetByLabel("topic").FillAsync("tea shops");
        await Expect(dialog.Locator("#prompt-preview")).ToContainTextAsync("ideas about tea shops");
        await dialog.GetByLabel("count").FillAsync("3");
        await Expect(dialog.Locator("#prompt-preview")).ToContainTextAsync("Give me 3 varied ideas");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Use this prompt" }).ClickAsync();
        await Expect(composer).ToHaveValueAsync(new Regex("^Give me 3 varied ideas about tea shops"));
        await composer.PressAsync("Enter");
        await Expect(page.Locator("li.message.assistant").Nth(1)).ToContainTextAsync("Second answer.");
        await Expect(page.Locator("#composer-text")).ToHaveValueAsync("");
        await Expect(page.Locator("#composer-template-id")).ToHaveValueAsync(""); // a fresh composer after sending
    }

    [Fact]
    public async Task the_use_page_previews_as_you_type_encoded_and_starts_a_chat_with_the_text()
    {
        Fixture.Llm.Enqueue(FakeReply.Of("Ideas!"));
        var page = await Fixture.SignedInPageAsync();
        await page.GotoAsync("/");
        await page.Locator(".account-menu summary").ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Prompts", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Prompts", Level = 1 })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Use Brainstorm" }).ClickAsync();

        await page.GetByLabel("topic").FillAsync("<img src=x onerror=alert(1)>");
        var preview = page.Locator("#prompt-preview");
        await Expect(preview).ToContainTextAsync("ideas about <img src=x onerror=alert(1)>");
        await Expect(preview.Locator("img")).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Button, new() { Name = "Use this prompt" }).ClickAsync();

        var composer = page.Locator("#composer-text");
        await Expect(composer).ToHaveValueAsync(new Regex("^Give me 10 varied ideas about <img src=x onerror=alert\\(1\\)>"));
        await composer.PressAsync("Enter");
        await Expect(page).ToHaveURLAsync(new Regex("/c/[0-9a-f-]+$"));
        await Expect(page.Locator("li.message.assistant")).ToContainTextAsync("Ideas!");
    }

    [Theory]
    [MemberData(nameof(Looks))]
    public async Task the_prompt_pages_pass_axe_in_both_themes_and_both_languages(string theme, string language)
    {
        var page = await Fixture.SignedInPageAsync(language == "id" ? "id-ID" : "en-US");
        await page.Context.AddCookiesAsync([new Cookie { Name = "theme", Value = theme, Url = Fixture.App.BaseUrl }]);
        var details = await CreatePromptAsync(page, "Axe", "Write {{tone|short|long}} text about {{topic:tea}}");
        await page.GotoAsync($"/prompts/edit/{details.Split('/')[^1]}");
        await page.Locator("#prompt-text").FillAsync("Write {{tone|short|long}} words about {{topic:tea}} on {{date}}");
        await page.Locator("form.form button[type=submit]").ClickAsync();
        await Expect(page.Locator("[role=status]").First).ToBeVisibleAsync();

        foreach (var url in new[] { "/prompts", "/prompts?sort=used&q=axe", "/prompts/edit", details, $"{details}?compare=2", $"{details}?confirm=publish",
                     $"{details}/use", "/prompts/community" })
        {
            await page.GotoAsync(url);
            await Expect(page.Locator("html")).ToHaveAttributeAsync("data-theme", theme);
            await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", language);
            await page.AssertNoSeriousViolationsAsync();
        }

        // A malformed save shows its errors accessibly.
        await page.GotoAsync("/prompts/edit");
        await page.Locator("#prompt-name").FillAsync("Broken");
        await page.Locator("#prompt-text").FillAsync("Oops {{never closed");
        await page.Locator("form.form button[type=submit]").ClickAsync();
        await Expect(page.Locator("#prompt-errors")).ToContainTextAsync(language == "id" ? "Baris 1, kolom 6" : "Line 1, column 6");
        await page.AssertNoSeriousViolationsAsync();

        // The slash menu open over the composer.
        await page.GotoAsync("/");
        await page.Locator("#composer-text").PressSequentiallyAsync("/");
        await Expect(page.Locator("#prompt-commands")).ToBeVisibleAsync();
        await page.AssertNoSeriousViolationsAsync();
    }
}
