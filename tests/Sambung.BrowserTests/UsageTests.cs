using Microsoft.Playwright;
using Sambung.BrowserTests.Support;
using Sambung.FakeProviders;
using static Microsoft.Playwright.Assertions;

namespace Sambung.BrowserTests;

[Collection("browser")]
public sealed class UsageTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    [Fact]
    public async Task a_person_opens_usage_after_a_chat_and_sees_their_tokens_as_figures_a_chart_and_a_table()
    {
        Fixture.Llm.Enqueue(FakeReply.Of("Counting tokens is fun."));
        var page = await Fixture.SignedInPageAsync();
        await page.GotoAsync("/");
        await page.Locator("#composer-text").FillAsync("How many tokens is this?");
        await page.Locator("#composer-text").PressAsync("Enter");
        await Expect(page.Locator("li.message.assistant .message-actions")).ToBeVisibleAsync();

        await page.Locator(".account-menu summary").ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Usage", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Usage", Level = 1 })).ToBeVisibleAsync();

        // The usage projection runs in the background: a moment after the reply it counts it.
        var output = page.Locator("dd[data-total=output]");
        for (var i = 0; i < 40 && await output.TextContentAsync() == "0"; i++)
        {
            await Task.Delay(500);
            await page.ReloadAsync();
        }
        await Expect(output).Not.ToHaveTextAsync("0");
        await Expect(page.Locator("dd[data-total=requests]")).ToHaveTextAsync("1");
        await Expect(page.Locator("dd[data-total=input]")).Not.ToHaveTextAsync("0");
        await Expect(page.GetByRole(AriaRole.Img, new() { Name = "Tokens in and out, by day" })).ToBeVisibleAsync();
        await Expect(page.Locator("svg.chart rect.chart-output")).ToHaveCountAsync(1);
        await Expect(page.GetByRole(AriaRole.Img, new() { Name = "Cost, by day" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Img, new() { Name = "Requests and errors, by day" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Usage by day" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "By model" })).ToContainTextAsync("fake-gpt");
        await page.AssertNoSeriousViolationsAsync();

        await page.GetByLabel("Group by").SelectOptionAsync("week");
        await page.GetByLabel("Period", new() { Exact = true }).SelectOptionAsync("7");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("range=7.*group=week"));
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Usage by week" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Download CSV" })).ToHaveAttributeAsync("href",
            "/usage?range=7&group=week&format=csv&handler=Export");

        // Choosing a date makes the period a custom one.
        var today = DateTime.UtcNow;
        await page.GetByLabel("From", new() { Exact = true }).FillAsync(today.AddDays(-3).ToString("yyyy-MM-dd"));
        await Expect(page.GetByLabel("Period", new() { Exact = true })).ToHaveValueAsync("custom");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Expect(page.Locator(".usage-range-said")).ToContainTextAsync("(4 days)");
        await Expect(page.Locator("dd[data-total=requests]")).ToHaveTextAsync("1");
    }
}
