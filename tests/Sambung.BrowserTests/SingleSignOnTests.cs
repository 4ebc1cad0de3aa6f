using System.Text.RegularExpressions;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Sambung.BrowserTests.Support;
using Sambung.OidcServer;
using static Microsoft.Playwright.Assertions;

namespace Sambung.BrowserTests;

[Collection("browser")]
public sealed class SingleSignOnTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    private TestOidcUser NewSsoUser(string? email = null, bool verified = true, string[]? groups = null)
    {
        var n = Guid.NewGuid().ToString("N")[..8];
        var user = new TestOidcUser($"sub-{n}", $"user{n}", "sso-password", email ?? $"sso-{n}@example.test", verified, $"Sso {n}", groups);
        Fixture.Sso.Users.Add(user);
        return user;
    }

    private static async Task SignInThroughProviderAsync(IPage page, TestOidcUser user)
    {
        await page.GotoAsync("/account/signin");
        await page.GetByRole(AriaRole.Button, new() { Name = $"Sign in with {BrowserFixture.SsoName}" }).ClickAsync();
        await page.GetByLabel("Username").FillAsync(user.Username);
        await page.GetByLabel("Password").FillAsync(user.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
    }

    [Fact]
    public async Task the_first_sso_sign_in_creates_the_account_and_an_admin_group_makes_an_admin()
    {
        var user = NewSsoUser(groups: [BrowserFixture.AdminGroup]);
        var page = await Fixture.NewPageAsync();

        await SignInThroughProviderAsync(page, user);

        await Expect(page.GetByRole(AriaRole.Textbox, new() { Name = "Message" })).ToBeVisibleAsync();
        await page.GetByText(user.Name).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Users" })).ToBeVisibleAsync();
        await page.GotoAsync("/admin/users");
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = user.Email })).ToContainTextAsync("Admin");
    }

    [Fact]
    public async Task an_admin_edits_the_model_catalogue_and_the_admin_pages_have_no_serious_accessibility_violations()
    {
        var page = await Fixture.NewPageAsync();
        await SignInThroughProviderAsync(page, NewSsoUser(groups: [BrowserFixture.AdminGroup]));
        // The first sign-in through the provider may be this run's first request to both servers: slower.
        await Expect(page.GetByRole(AriaRole.Textbox, new() { Name = "Message" })).ToBeVisibleAsync(new() { Timeout = 30_000 });

        await page.GotoAsync("/admin/models");
        var row = page.GetByRole(AriaRole.Form, new() { Name = "gpt-4o-mini" });
        await row.GetByLabel("Input price per 1M tokens (USD)").FillAsync("0.25");
        await row.GetByRole(AriaRole.Button, new() { Name = "Save gpt-4o-mini" }).ClickAsync();
        await Expect(page.Locator("p.notice[role=status]")).ToContainTextAsync("Saved gpt-4o-mini.");
        await Expect(page.GetByRole(AriaRole.Form, new() { Name = "gpt-4o-mini" }).GetByLabel("Input price per 1M tokens (USD)")).ToHaveValueAsync("0.25");

        await page.GetByLabel("Model id").FillAsync("local-model");
        await page.GetByLabel("Context window (tokens)").Last.FillAsync("a lot");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add model" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Token counts are whole numbers");
        await Expect(page.GetByLabel("Model id")).ToHaveValueAsync("local-model"); // what was typed is kept

        await page.GetByRole(AriaRole.Button, new() { Name = "Reset gpt-4o-mini to its built-in figures" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Form, new() { Name = "gpt-4o-mini" }).GetByLabel("Input price per 1M tokens (USD)")).ToHaveValueAsync("0.15");

        await Fixture.SignedInPageAsync(); // another account, so the user list has its per-user buttons
        foreach (var url in new[] { "/admin/models", "/admin/users", "/admin/settings", "/admin/connections", "/admin/usage" })
        {
            await page.GotoAsync(url);
            await page.AssertNoSeriousViolationsAsync();
        }
    }

    [Fact]
    public async Task an_existing_account_is_linked_only_through_a_verified_email()
    {
        var email = $"linked-{Guid.NewGuid():N}@example.test";
        var local = await Fixture.NewPageAsync();
        await local.GotoAsync("/account/register");
        await local.Locator("#DisplayName").FillAsync("Local Name");
        await local.Locator("#Email").FillAsync(email);
        await local.Locator("#Password").FillAsync("correct horse battery");
        await local.Locator("form.form button[type=submit]").ClickAsync();
        await Expect(local.GetByRole(AriaRole.Textbox, new() { Name = "Message" })).ToBeVisibleAsync();

        var unverified = await Fixture.NewPageAsync();
        await SignInThroughProviderAsync(unverified, NewSsoUser(email, verified: false));
        await Expect(unverified.GetByRole(AriaRole.Alert)).ToContainTextAsync("did not confirm the address");

        var verified = await Fixture.NewPageAsync();
        await SignInThroughProviderAsync(verified, NewSsoUser(email, verified: true));
        await Expect(verified.GetByRole(AriaRole.Textbox, new() { Name = "Message" })).ToBeVisibleAsync();
        await Expect(verified.GetByText("Local Name")).ToBeVisibleAsync(); // the same account as the local one
    }

    [Fact]
    public async Task a_wrong_password_at_the_provider_keeps_the_person_there()
    {
        var user = NewSsoUser();
        var page = await Fixture.NewPageAsync();
        await page.GotoAsync("/account/signin");
        await page.GetByRole(AriaRole.Button, new() { Name = $"Sign in with {BrowserFixture.SsoName}" }).ClickAsync();
        await page.GetByLabel("Username").FillAsync(user.Username);
        await page.GetByLabel("Password").FillAsync("nope");
        await page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();

        await Expect(page.GetByText(TestOidcServer.InvalidCredentialsMessage)).ToBeVisibleAsync();
        Assert.DoesNotMatch(new Regex($"^{Regex.Escape(Fixture.App.BaseUrl)}/$"), page.Url);
    }
}
