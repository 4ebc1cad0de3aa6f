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
        Assert.Contains("<html lang=\"id\" data-theme=\"dark\" data-text=\"3\"", home);
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
        Assert.Contains("<html lang=\"id\" data-theme=\"dark\" data-text=\"3\"", await other.PageAsync("/"));

        // Back to the browser's language: the page follows Accept-Language again (English here).
        await browser.PostAsync("/settings", "/settings", ("Theme", "system"), ("TextSize", "1"), ("Language", ""));
        Assert.Contains("<html lang=\"en\" data-theme=\"system\" data-text=\"1\"", await browser.PageAsync("/"));
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

    [Fact]
    public async Task sidebar_width_density_privacy_and_default_model_are_kept_on_the_account_and_follow_it_to_a_new_device()
    {
        var email = $"u{Guid.NewGuid():N}@example.test";
        var browser = NewBrowser();
        await browser.RegisterAsync(email);
        var settings = await browser.PageAsync("/settings");
        Assert.Contains("<option value=\"\" selected=\"selected\">The instance&#x27;s default (fake-gpt)</option>", settings);
        Assert.Contains("<option value=\"openai|fake-mini\">fake-mini</option>", settings);

        var saved = await browser.PostAsync("/settings", "/settings", ("Theme", "system"), ("TextSize", "1"), ("Language", ""),
            ("SidebarWidth", "340"), ("MessageDensity", "compact"), ("PrivacyMode", "true"), ("PrivacyMode", "false"), ("DefaultModel", "openai|fake-mini"));
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        const string look = "data-sidebar=\"340\" data-density=\"compact\" data-privacy=\"on\"";
        Assert.Contains(look, await browser.PageAsync("/"));
        Assert.Contains("<option value=\"openai|fake-mini\" selected=\"selected\">fake-mini</option>", await browser.PageAsync("/settings"));
        await using (var session = Store.QuerySession())
        {
            var account = await session.Query<SambungUser>().SingleAsync(u => u.Email == email);
            Assert.Equal((340, "compact", true, "openai|fake-mini"), (account.SidebarWidth, account.MessageDensity, account.PrivacyMode, account.DefaultModel));
        }

        // A new chat starts with the default model.
        var id = await StartChatAsync(browser, "Which model?");
        await using (var session = Store.QuerySession())
            Assert.Equal(new ModelRef("openai", "fake-mini"), (await session.Events.FetchStreamAsync(id)).Select(e => e.Data).OfType<ConversationStarted>().Single().Model);

        var other = NewBrowser();
        Assert.DoesNotContain(look, await other.PageAsync("/account/signin"));
        await other.SignInAsync(email);
        Assert.Contains(look, await other.PageAsync("/"));

        // Unchecked, the box sends only its hidden "false"; a 250 typed by hand lands on the nearest step.
        await browser.PostAsync("/settings", "/settings", ("Theme", "system"), ("TextSize", "1"), ("Language", ""),
            ("SidebarWidth", "250"), ("MessageDensity", "comfortable"), ("PrivacyMode", "false"), ("DefaultModel", ""));
        Assert.Contains("data-sidebar=\"260\" data-density=\"comfortable\" data-privacy=\"off\"", await browser.PageAsync("/"));
        await using (var session = Store.QuerySession())
            Assert.Null((await session.Query<SambungUser>().SingleAsync(u => u.Email == email)).DefaultModel);
    }

    [Theory]
    [InlineData("SidebarWidth", "180", "The sidebar width must be between 200 and 400 pixels.")]
    [InlineData("SidebarWidth", "420", "The sidebar width must be between 200 and 400 pixels.")]
    [InlineData("SidebarWidth", "wide", "not one of the choices")]
    [InlineData("MessageDensity", "cosy", "not one of the choices")]
    [InlineData("PrivacyMode", "maybe", "not one of the choices")]
    [InlineData("DefaultModel", "openai|gpt-imaginary", "That model is not one you can use.")]
    [InlineData("DefaultModel", "nowhere|fake-gpt", "That model is not one you can use.")]
    [InlineData("DefaultModel", "no-provider", "That model is not one you can use.")]
    public async Task a_bad_new_setting_is_refused_with_a_clear_message_and_nothing_changes(string field, string value, string message)
    {
        var email = $"u{Guid.NewGuid():N}@example.test";
        var browser = NewBrowser();
        await browser.RegisterAsync(email);

        var refused = await browser.PostAsync("/settings", "/settings", ("Theme", "dark"), ("TextSize", "2"), ("Language", ""), (field, value));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains(message, System.Net.WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync()));
        await using var session = Store.QuerySession();
        var account = await session.Query<SambungUser>().SingleAsync(u => u.Email == email);
        Assert.Equal((UserPreferences.SystemTheme, UserPreferences.NormalText, UserPreferences.NormalSidebarWidth, UserPreferences.Comfortable, false, (string?)null),
            (account.Theme, account.TextSize, account.SidebarWidth, account.MessageDensity, account.PrivacyMode, account.DefaultModel));
    }

    [Fact]
    public async Task a_default_model_the_provider_no_longer_lists_gives_way_to_the_instance_default()
    {
        var email = $"u{Guid.NewGuid():N}@example.test";
        var browser = NewBrowser();
        await browser.RegisterAsync(email);
        await browser.PostAsync("/settings", "/settings", ("Theme", "system"), ("TextSize", "1"), ("DefaultModel", "openai|fake-mini"));

        var registry = Host.Services.GetRequiredService<Sambung.Web.Features.Providers.ProviderRegistry>();
        var catalogue = Host.Services.GetRequiredService<Sambung.Web.Features.Providers.ModelCatalogue>();
        var openai = registry.EnvironmentConnections.Single();
        Fixture.Llm.Models.Remove("fake-mini");
        try
        {
            await catalogue.ListAsync(openai, refresh: true, default);

            var id = await StartChatAsync(browser, "And now?");
            await using (var session = Store.QuerySession())
                Assert.Equal(new ModelRef("openai", "fake-gpt"), (await session.Events.FetchStreamAsync(id)).Select(e => e.Data).OfType<ConversationStarted>().Single().Model);
            var settings = await browser.PageAsync("/settings");
            Assert.Contains("Your default model is no longer available", System.Net.WebUtility.HtmlDecode(settings));
            Assert.Contains("<option value=\"\" selected=\"selected\">", settings);
        }
        finally
        {
            Fixture.Llm.Models.Add("fake-mini");
            await catalogue.ListAsync(openai, refresh: true, default);
        }
    }

    [Fact]
    public async Task forged_look_cookies_fall_back_to_the_defaults()
    {
        var browser = NewBrowser();
        await browser.RegisterAsync($"u{Guid.NewGuid():N}@example.test");
        browser.SetCookie(UserPreferences.SidebarCookie, "250");
        browser.SetCookie(UserPreferences.DensityCookie, Uri.EscapeDataString("\"><b>"));
        browser.SetCookie(UserPreferences.PrivacyCookie, "yes");
        Assert.Contains("data-sidebar=\"280\" data-density=\"comfortable\" data-privacy=\"off\"", await browser.PageAsync("/"));
    }

    // The new-chat form as the page renders it, with the model the page preselects (the user's default).
    private static async Task<Guid> StartChatAsync(Support.TestBrowser browser, string text)
    {
        var page = await browser.PageAsync("/");
        string Field(string name) => System.Text.RegularExpressions.Regex.Match(page, $"name=\"{name}\"[^>]*value=\"([^\"]+)\"").Groups[1].Value;
        var model = System.Text.RegularExpressions.Regex.Match(page, "<option value=\"([^\"]+)\" selected=\"selected\"").Groups[1].Value;
        var id = Guid.Parse(Field("ConversationId"));
        var started = await browser.PostAsync("/", "/?handler=Start", ("ConversationId", id.ToString()), ("MessageId", Field("MessageId")),
            ("ReplyId", Field("ReplyId")), ("Text", text), ("Model", System.Net.WebUtility.HtmlDecode(model)));
        Assert.Equal(HttpStatusCode.Redirect, started.StatusCode);
        return id;
    }
}
