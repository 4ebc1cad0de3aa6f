using System.Text.RegularExpressions;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Sambung.BrowserTests.Support;
using static Microsoft.Playwright.Assertions;

namespace Sambung.BrowserTests;

[Collection("browser")]
public sealed class AccountTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    [Fact]
    public async Task a_person_registers_signs_out_and_signs_back_in_with_the_named_controls()
    {
        var email = $"person-{Guid.NewGuid():N}@example.test";
        var page = await Fixture.NewPageAsync();
        await page.GotoAsync("/");
        await Expect(page).ToHaveURLAsync(new Regex("/account/signin"));

        await page.GetByRole(AriaRole.Link, new() { Name = "Create account" }).ClickAsync();
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Display name" }).FillAsync("Siti");
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Email" }).FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync("a long and happy passphrase");
        await Expect(page.Locator("#password-strength")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Textbox, new() { Name = "Message" })).ToBeVisibleAsync();

        await page.GetByText("Siti").ClickAsync(); // the account menu
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/account/signin$"));

        await page.GetByRole(AriaRole.Textbox, new() { Name = "Email" }).FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync("wrong password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Email or password is incorrect.");

        await page.GetByLabel("Password", new() { Exact = true }).FillAsync("a long and happy passphrase");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Textbox, new() { Name = "Message" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task the_account_pages_have_no_serious_accessibility_violations()
    {
        var page = await Fixture.NewPageAsync();
        foreach (var url in new[] { "/account/signin", "/account/register" })
        {
            await page.GotoAsync(url);
            await page.AssertNoSeriousViolationsAsync();
        }
        var signedIn = await Fixture.SignedInPageAsync();
        foreach (var url in new[] { "/account/profile", "/account/sessions" })
        {
            await signedIn.GotoAsync(url);
            await signedIn.AssertNoSeriousViolationsAsync();
        }
    }

    [Fact]
    public async Task the_production_app_sends_hsts_and_the_security_headers_behind_an_https_proxy()
    {
        // As behind a TLS-terminating reverse proxy on the same machine: the proxy tells the scheme, the host is public.
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{Fixture.App.BaseUrl}/account/signin");
        request.Headers.Host = "chat.example.org";
        request.Headers.Add("X-Forwarded-Proto", "https");
        using var response = await http.SendAsync(request);
        string Header(string name) => string.Join(", ", response.Headers.TryGetValues(name, out var v) ? v : []);

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("max-age=", Header("Strict-Transport-Security"));
        Assert.Contains("frame-ancestors 'none'", Header("Content-Security-Policy"));
        Assert.Equal("nosniff", Header("X-Content-Type-Options"));
        // Plain HTTP on loopback (./run.sh) is not told to switch to HTTPS.
        using var plain = await http.GetAsync($"{Fixture.App.BaseUrl}/account/signin");
        Assert.False(plain.Headers.Contains("Strict-Transport-Security"));
    }

}
