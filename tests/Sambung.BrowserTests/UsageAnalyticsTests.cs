using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Sambung.BrowserTests.Support;
using Sambung.FakeProviders;
using Sambung.OidcServer;
using static Microsoft.Playwright.Assertions;

namespace Sambung.BrowserTests;

[Collection("browser")]
public sealed class UsageAnalyticsTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    private static async Task SendAsync(IPage page, string text, string reply)
    {
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Message" }).FillAsync(text);
        await page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
        await Expect(page.Locator("li.message.assistant").Last).ToContainTextAsync(reply);
    }

    // The usage projection runs in the background: reload until it has counted what was sent.
    private static async Task UntilCountedAsync(IPage page, string url, ILocator what)
    {
        await page.GotoAsync(url);
        for (var i = 0; i < 60 && !await what.IsVisibleAsync(); i++)
        {
            await Task.Delay(500);
            await page.ReloadAsync();
        }
        await Expect(what).ToBeVisibleAsync();
    }

    [Fact]
    public async Task a_person_compares_the_two_models_they_used_side_by_side()
    {
        Fixture.Llm.Enqueue(FakeReply.Of("First."), FakeReply.Of("Second."));
        var page = await Fixture.SignedInPageAsync();
        await SendAsync(page, "One", "First.");
        var saved = page.WaitForResponseAsync(r => r.Url.Contains("handler=Model"));
        await page.GetByRole(AriaRole.Combobox, new() { Name = "Model" }).SelectOptionAsync(new SelectOptionValue { Label = "fake-mini" });
        await saved;
        await SendAsync(page, "Two", "Second.");

        var performance = page.GetByRole(AriaRole.Table, new() { Name = "Model performance" });
        await UntilCountedAsync(page, "/usage", performance.GetByRole(AriaRole.Rowheader, new() { Name = "openai/fake-mini" }));
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Top chats by cost" })).ToContainTextAsync("One");
        await page.GetByRole(AriaRole.Link, new() { Name = "Compare models side by side" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Compare models", Level = 1 })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Checkbox, new() { Name = "openai/fake-gpt" }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Compare", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Choose 2 to 4 models to compare; you chose 1.");
        await Expect(page.GetByRole(AriaRole.Checkbox, new() { Name = "openai/fake-gpt" })).ToBeCheckedAsync(); // the choice is kept
        await page.GetByRole(AriaRole.Checkbox, new() { Name = "openai/fake-mini" }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Compare", Exact = true }).ClickAsync();

        var table = page.GetByRole(AriaRole.Table, new() { NameRegex = new Regex("^Models side by side") });
        await Expect(table.GetByRole(AriaRole.Columnheader)).ToHaveTextAsync(["Measure", "openai/fake-gpt", "openai/fake-mini"]);
        await Expect(table.GetByRole(AriaRole.Row, new() { Name = "Requests" })).ToContainTextAsync("1");
        await Expect(table.GetByRole(AriaRole.Rowheader, new() { Name = "Time to first token, median" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Download CSV" })).ToHaveAttributeAsync("href", new Regex("model=openai%2Ffake-gpt&model=openai%2Ffake-mini"));
        await page.AssertNoSeriousViolationsAsync();
    }

    [Fact]
    public async Task an_admin_sets_a_price_and_a_budget_and_the_person_over_budget_is_refused_and_keeps_their_text()
    {
        // The admin first (through the provider's admin group), so the person registered next is not the first account.
        var n = Guid.NewGuid().ToString("N")[..8];
        var adminUser = new TestOidcUser($"sub-{n}", $"user{n}", "sso-password", $"sso-{n}@example.test", true, $"Sso {n}", [BrowserFixture.AdminGroup]);
        Fixture.Sso.Users.Add(adminUser);
        var admin = await Fixture.NewPageAsync();
        await admin.GotoAsync("/account/signin");
        await admin.GetByRole(AriaRole.Button, new() { Name = $"Sign in with {BrowserFixture.SsoName}" }).ClickAsync();
        await admin.GetByLabel("Username").FillAsync(adminUser.Username);
        await admin.GetByLabel("Password").FillAsync(adminUser.Password);
        await admin.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        await Expect(admin.GetByRole(AriaRole.Textbox, new() { Name = "Message" })).ToBeVisibleAsync();

        var name = $"Budget person {n}";
        var person = await Fixture.NewPageAsync();
        await person.GotoAsync("/account/register");
        await person.Locator("#DisplayName").FillAsync(name);
        await person.Locator("#Email").FillAsync($"budget-{n}@example.test");
        await person.Locator("#Password").FillAsync("correct horse battery");
        await person.Locator("form.form button[type=submit]").ClickAsync();
        Fixture.Llm.Enqueue(FakeReply.Of("Here is an answer."));
        await SendAsync(person, "A first question", "Here is an answer.");
        var chat = person.Url;
        await UntilCountedAsync(person, "/usage", person.Locator("#usage-chats"));

        // A price from today for the model the person used.
        await admin.GotoAsync("/admin/usage");
        await admin.GetByRole(AriaRole.Link, new() { Name = "Prices" }).ClickAsync();
        await admin.GetByLabel("Model", new() { Exact = true }).FillAsync("fake-gpt");
        await admin.GetByLabel("Input price per 1M tokens (USD)").FillAsync("3");
        await admin.GetByLabel("Output price per 1M tokens (USD)").FillAsync("15");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Add price" }).ClickAsync();
        await Expect(admin.Locator("#price-message")).ToContainTextAsync("Price for fake-gpt from");
        await Expect(admin.GetByRole(AriaRole.Table, new() { Name = "Price history" }).GetByRole(AriaRole.Row).Filter(new() { HasText = "fake-gpt" }))
            .ToContainTextAsync("Dated price");
        await admin.AssertNoSeriousViolationsAsync();

        // A budget of one token for the person.
        await admin.GotoAsync("/admin/budgets");
        var form = admin.GetByRole(AriaRole.Form, new() { Name = name });
        await form.GetByLabel("Tokens per month").FillAsync("1");
        await form.GetByRole(AriaRole.Button, new() { Name = $"Save budget for {name}" }).ClickAsync();
        await Expect(admin.Locator("#budget-message[role=status]")).ToContainTextAsync("Budget saved.");
        await Expect(admin.GetByRole(AriaRole.Form, new() { Name = name }).GetByLabel("Tokens per month")).ToHaveValueAsync("1");
        await admin.AssertNoSeriousViolationsAsync();

        await person.GotoAsync(chat);
        var box = person.GetByRole(AriaRole.Textbox, new() { Name = "Message" });
        await box.FillAsync("Can I ask one more?");
        await person.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
        await Expect(person.Locator("#composer-error[role=alert]")).ToContainTextAsync("You have used this month's budget");
        await Expect(box).ToHaveValueAsync("Can I ask one more?");
        await Expect(person.Locator("li.message.user")).ToHaveCountAsync(1); // nothing was sent

        await person.GotoAsync("/usage");
        await Expect(person.Locator("#usage-budget-exhausted")).ToBeVisibleAsync();
        await Expect(person.Locator("[data-budget=tokens]")).ToContainTextAsync("0 left");
        await person.AssertNoSeriousViolationsAsync();
    }
}
