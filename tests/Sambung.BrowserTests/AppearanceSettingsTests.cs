using Microsoft.Playwright;
using Sambung.BrowserTests.Support;
using Sambung.FakeProviders;
using static Microsoft.Playwright.Assertions;

namespace Sambung.BrowserTests;

[Collection("browser")]
public sealed class AppearanceSettingsTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    private static Task<float> SidebarWidthAsync(IPage page) =>
        page.Locator("nav.sidebar").EvaluateAsync<float>("e => e.getBoundingClientRect().width");

    private static Task<string> StyleAsync(ILocator element, string property) =>
        element.EvaluateAsync<string>($"e => getComputedStyle(e).{property}");

    [Fact]
    public async Task sidebar_width_density_privacy_and_default_model_apply_at_once_without_a_reload()
    {
        Fixture.Llm.Enqueue(FakeReply.Of("Balloons and cake."), FakeReply.Of("A second answer."));
        var page = await Fixture.SignedInPageAsync();
        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Message" }).FillAsync("Secret plans for the party");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
        await Expect(page.Locator("li.message.assistant .message-actions")).ToContainTextAsync("Regenerate");
        var chatUrl = page.Url;

        await page.GotoAsync("/settings");
        await page.EvaluateAsync("() => { window.notReloaded = true; }");
        Assert.InRange(await SidebarWidthAsync(page), 279, 281);

        await page.GetByRole(AriaRole.Slider, new() { Name = "Sidebar width" }).FillAsync("360");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("data-sidebar", "360");
        await Expect(page.Locator("#sidebar-width-value")).ToHaveTextAsync("360 px");
        Assert.InRange(await SidebarWidthAsync(page), 359, 361);
        await page.GetByRole(AriaRole.Radio, new() { Name = "Compact" }).CheckAsync();
        await Expect(page.Locator("html")).ToHaveAttributeAsync("data-density", "compact");
        await page.GetByRole(AriaRole.Checkbox, new() { Name = "Privacy mode" }).CheckAsync();
        await Expect(page.Locator("html")).ToHaveAttributeAsync("data-privacy", "on");

        // In privacy mode a chat title is blurred, yet still the link's name; focus (or a pointer) shows it.
        var title = page.GetByRole(AriaRole.Navigation, new() { Name = "Chats" }).GetByRole(AriaRole.Link, new() { Name = "Secret plans for the party" });
        Assert.Contains("blur", await StyleAsync(title, "filter"));
        await title.FocusAsync();
        Assert.Equal("none", await StyleAsync(title, "filter"));

        // Each change saves the whole form in the background: wait for the save that carries the last one.
        var saved = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Combobox, new() { Name = "Default model" }).SelectOptionAsync(new SelectOptionValue { Label = "fake-mini" }),
            r => r.Request.Method == "POST" && r.Url.EndsWith("/settings") && (r.Request.PostData ?? "").Contains("fake-mini"));
        Assert.Equal(200, saved.Status);
        await Expect(page.Locator("#settings-status")).ToHaveTextAsync("Settings saved.");
        Assert.True(await page.EvaluateAsync<bool>("() => window.notReloaded === true"));

        // Saved on the account: the next pages come with it.
        await page.GotoAsync(chatUrl);
        await Expect(page.Locator("html")).ToHaveAttributeAsync("data-sidebar", "360");
        Assert.InRange(await SidebarWidthAsync(page), 359, 361);
        await Expect(page.Locator("html")).ToHaveAttributeAsync("data-density", "compact");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("data-privacy", "on");
        Assert.Equal("5.6px", await StyleAsync(page.Locator("#messages"), "rowGap")); // .35rem, not 1rem
        await page.GotoAsync("/");
        await Expect(page.GetByRole(AriaRole.Combobox, new() { Name = "Model" })).ToHaveValueAsync(new System.Text.RegularExpressions.Regex(@"\|fake-mini$"));
        await page.GotoAsync("/settings");
        await Expect(page.GetByRole(AriaRole.Checkbox, new() { Name = "Privacy mode" })).ToBeCheckedAsync();
        await Expect(page.GetByRole(AriaRole.Slider, new() { Name = "Sidebar width" })).ToHaveValueAsync("360");

        // Phones keep the full-width sidebar whatever the setting.
        await page.SetViewportSizeAsync(400, 800);
        Assert.InRange(await SidebarWidthAsync(page), 399, 401);
    }

    [Fact]
    public async Task the_settings_page_passes_axe_light_and_dark_in_indonesian_with_privacy_mode_on()
    {
        Fixture.Llm.Enqueue(FakeReply.Of("Jawaban."));
        var page = await Fixture.SignedInPageAsync("id-ID");
        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Pesan" }).FillAsync("Rencana rahasia");
        await page.GetByRole(AriaRole.Button, new() { Name = "Kirim", Exact = true }).ClickAsync();
        await Expect(page.Locator("li.message.assistant .message-actions")).ToContainTextAsync("Buat ulang");

        await page.GotoAsync("/settings");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Pengaturan", Level = 1 })).ToBeVisibleAsync();
        await page.Locator("input[name=Theme][value=light]").CheckAsync();
        await Expect(page.Locator("html")).ToHaveAttributeAsync("data-theme", "light");
        await page.GetByRole(AriaRole.Checkbox, new() { Name = "Mode privasi" }).CheckAsync();
        await page.GetByRole(AriaRole.Radio, new() { Name = "Rapat" }).CheckAsync();
        await Expect(page.GetByRole(AriaRole.Slider, new() { Name = "Lebar bilah samping" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Combobox, new() { Name = "Model bawaan" })).ToBeVisibleAsync();
        await Expect(page.Locator("#settings-status")).ToHaveTextAsync("Pengaturan disimpan.");
        await page.AssertNoSeriousViolationsAsync();

        await page.Locator("input[name=Theme][value=dark]").CheckAsync();
        await Expect(page.Locator("html")).ToHaveAttributeAsync("data-theme", "dark");
        await page.AssertNoSeriousViolationsAsync();
        await page.GotoAsync("/settings");
        await page.AssertNoSeriousViolationsAsync();
    }
}
