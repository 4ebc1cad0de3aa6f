using System.Text.RegularExpressions;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Sambung.BrowserTests.Support;
using static Microsoft.Playwright.Assertions;

namespace Sambung.BrowserTests;

[Collection("browser")]
public sealed class AccountTests(BrowserFixture fixture)
{
    [Fact]
    public async Task a_person_registers_signs_out_and_signs_back_in_with_the_named_controls()
    {
        var email = $"person-{Guid.NewGuid():N}@example.test";
        var page = await fixture.NewPageAsync();
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
        var page = await fixture.NewPageAsync();
        foreach (var url in new[] { "/account/signin", "/account/register" })
        {
            await page.GotoAsync(url);
            await AssertNoSeriousViolationsAsync(page);
        }
        var signedIn = await fixture.SignedInPageAsync();
        foreach (var url in new[] { "/account/profile", "/account/sessions" })
        {
            await signedIn.GotoAsync(url);
            await AssertNoSeriousViolationsAsync(signedIn);
        }
    }

    private static async Task AssertNoSeriousViolationsAsync(IPage page)
    {
        var results = await page.RunAxe();
        var serious = results.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, page.Url + "\n" + string.Join("\n", serious.Select(v => $"{v.Id}: {v.Help} ({string.Join(", ", v.Nodes.Select(n => n.Html))})")));
    }
}
