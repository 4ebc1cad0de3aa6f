using System.Net;
using Marten;
using Sambung.Events.Conversations;
using Sambung.IntegrationTests.Support;
using Sambung.Web.Features.Accounts;

namespace Sambung.IntegrationTests;

public sealed class SettingsTests(AccountsFixture fixture) : AccountsTest(fixture)
{
    [Fact]
    public async Task settings_are_kept_on_the_account_applied_to_every_page_and_follow_the_account_to_a_new_device()
    {
        var email = $"u{Guid.NewGuid():N}@example.test";
        var browser = NewBrowser();
        await browser.RegisterAsync(email);

        var saved = await browser.PostAsync("/settings", "/settings",
            ("Theme", "dark"), ("TextSize", "3"), ("Language", "id"), ("DefaultSystemPrompt", "  Jawab singkat. "));
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);

        var home = await browser.PageAsync("/");
        Assert.Contains("<html lang=\"id\" data-theme=\"dark\" data-text=\"3\">", home);
        Assert.Contains("Obrolan baru", home); // "New chat" in Indonesian

        // A new chat starts with the default system prompt.
        var (id, message, reply) = (Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7());
        await browser.PostAsync("/", "/?handler=Start", ("ConversationId", id.ToString()), ("MessageId", message.ToString()),
            ("ReplyId", reply.ToString()), ("Text", "Halo"));
        await using (var session = Store.QuerySession())
        {
            var started = (await session.Events.FetchStreamAsync(id)).Select(e => e.Data).OfType<ConversationStarted>().Single();
            Assert.Equal("Jawab singkat.", started.SystemPrompt);
        }

        // Another device: the sign-in brings the account's settings with it.
        var other = NewBrowser();
        Assert.DoesNotContain("data-theme=\"dark\"", await other.PageAsync("/account/signin"));
        await other.SignInAsync(email);
        Assert.Contains("<html lang=\"id\" data-theme=\"dark\" data-text=\"3\">", await other.PageAsync("/"));

        // Back to the browser's language: the page follows Accept-Language again (English here).
        await browser.PostAsync("/settings", "/settings", ("Theme", "system"), ("TextSize", "1"), ("Language", ""));
        Assert.Contains("<html lang=\"en\" data-theme=\"system\" data-text=\"1\">", await browser.PageAsync("/"));
    }

    [Theory]
    [InlineData("neon", "1", "")]
    [InlineData("dark", "7", "")]
    [InlineData("dark", "1", "fr")]
    public async Task a_setting_outside_its_choices_is_refused_and_nothing_changes(string theme, string size, string language)
    {
        var email = $"u{Guid.NewGuid():N}@example.test";
        var browser = NewBrowser();
        await browser.RegisterAsync(email);

        var refused = await browser.PostAsync("/settings", "/settings", ("Theme", theme), ("TextSize", size), ("Language", language));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("not one of the choices", await refused.Content.ReadAsStringAsync());
        await using var session = Store.QuerySession();
        var account = await session.Query<SambungUser>().SingleAsync(u => u.Email == email);
        Assert.Equal((UserPreferences.SystemTheme, UserPreferences.NormalText, (string?)null), (account.Theme, account.TextSize, account.Language));
    }

    [Fact]
    public async Task a_forged_cookie_cannot_put_anything_else_on_the_page()
    {
        var browser = NewBrowser();
        await browser.RegisterAsync($"u{Guid.NewGuid():N}@example.test");
        browser.SetCookie(UserPreferences.ThemeCookie, Uri.EscapeDataString("\"><script>alert(1)</script>"));
        browser.SetCookie(UserPreferences.TextCookie, "99");
        var page = await browser.PageAsync("/");
        Assert.Contains("data-theme=\"system\" data-text=\"1\"", page);
        Assert.DoesNotContain("<script>alert", page);
    }
}
