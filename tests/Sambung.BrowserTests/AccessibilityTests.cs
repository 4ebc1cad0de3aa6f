using Microsoft.Playwright;
using Sambung.BrowserTests.Support;
using Sambung.FakeProviders;
using static Microsoft.Playwright.Assertions;

namespace Sambung.BrowserTests;

// axe-core on every page a person reaches, signed out and signed in, in the light theme in English and the dark
// theme in Indonesian (so each theme and each language is checked; contrast depends on the theme, names on the
// language). The admin pages have their own pass in SingleSignOnTests.
[Collection("browser")]
public sealed class AccessibilityTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    public static TheoryData<string, string> Looks => new() { { "light", "en" }, { "dark", "id" } };

    [Theory]
    [MemberData(nameof(Looks))]
    public async Task every_page_passes_axe_in_both_themes_and_both_languages(string theme, string language)
    {
        var locale = language == "id" ? "id-ID" : "en-US";
        var signedOut = await Fixture.NewPageAsync(locale);
        await UseThemeAsync(signedOut.Context, theme);
        foreach (var url in new[] { "/account/signin", "/account/register" })
            await CheckAsync(signedOut, url, theme, language);

        Fixture.Llm.Enqueue(FakeReply.Of("A reply with **bold**, a [link](https://example.org), `code` and\n\n```python\nprint(1)\n```"));
        var page = await Fixture.SignedInPageAsync(locale);
        await UseThemeAsync(page.Context, theme); // signing in applied the new account's own choice (system)
        await page.GotoAsync("/");
        await page.Locator("#composer-text").FillAsync("Hello");
        await page.Locator("#composer-text").PressAsync("Enter");
        await Expect(page.Locator("li.message.assistant .message-actions")).ToBeVisibleAsync();
        var chat = new Uri(page.Url).AbsolutePath;

        foreach (var url in new[] { chat, "/", "/search?q=reply&pinned=true", "/folders", "/trash", "/settings",
                     "/settings/connections", "/account/profile", "/account/sessions", "/usage?range=7&group=week" })
            await CheckAsync(page, url, theme, language);
    }

    private Task UseThemeAsync(IBrowserContext context, string theme) =>
        context.AddCookiesAsync([new Cookie { Name = "theme", Value = theme, Url = Fixture.App.BaseUrl }]);

    private static async Task CheckAsync(IPage page, string url, string theme, string language)
    {
        await page.GotoAsync(url);
        await Expect(page.Locator("html")).ToHaveAttributeAsync("data-theme", theme);
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", language);
        await page.AssertNoSeriousViolationsAsync();
    }
}
