using Microsoft.Playwright;
using Sambung.BrowserTests.Support;
using Sambung.FakeProviders;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Sambung.BrowserTests;

// A size budget, not a timing: what a first visit to a chat transfers (HTML, CSS, scripts, fonts), as compressed on
// the wire, from an empty cache. The figure is printed for docs/benchmarks.md.
[Collection("browser")]
public sealed class PageWeightTests(BrowserFixture fixture, ITestOutputHelper output) : BrowserTest(fixture)
{
    public const int BudgetBytes = 100 * 1024;

    [Fact]
    public async Task a_chat_page_first_load_transfers_less_than_100_KB()
    {
        Fixture.Llm.Enqueue(FakeReply.Of("A plain answer with **some** formatting and a [link](https://example.org)."));
        var page = await Fixture.SignedInPageAsync();
        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Message" }).FillAsync("How heavy is this page?");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
        await Expect(page.Locator("li.message.assistant .message-actions")).ToContainTextAsync("Regenerate");
        var url = page.Url;

        // A new page in a new context: nothing cached, signed in with the same cookies.
        var state = await page.Context.StorageStateAsync();
        await using var fresh = await page.Context.Browser!.NewContextAsync(new() { BaseURL = Fixture.App.BaseUrl, StorageState = state });
        var first = await fresh.NewPageAsync();
        var responses = new List<IResponse>();
        first.Response += (_, response) => { lock (responses) responses.Add(response); };
        await first.GotoAsync(url, new() { WaitUntil = WaitUntilState.Load });
        await Expect(first.Locator(".copy-message").First).ToBeVisibleAsync(); // app.js has run

        var sizes = new List<(string Url, long Bytes, string? Encoding)>();
        // The sidebar's change notifications are a stream that stays open (a few bytes per change): not page weight.
        IResponse[] loaded;
        lock (responses) loaded = [.. responses];
        foreach (var response in loaded.Where(r => !r.Url.Contains("/events/")))
        {
            var size = await response.Request.SizesAsync();
            sizes.Add((new Uri(response.Url).AbsolutePath, size.ResponseBodySize + size.ResponseHeadersSize,
                await response.HeaderValueAsync("content-encoding")));
        }
        var total = sizes.Sum(s => s.Bytes);
        foreach (var (path, bytes, encoding) in sizes) output.WriteLine($"{path}: {bytes:N0} bytes ({encoding ?? "identity"})");
        output.WriteLine($"total: {total:N0} bytes in {sizes.Count} responses");

        Assert.True(total < BudgetBytes, $"{total:N0} bytes: " + string.Join(", ", sizes.Select(s => $"{s.Url} {s.Bytes:N0}")));
        Assert.Contains(sizes, s => s.Url.EndsWith("htmx.min.js") && s.Encoding is "br" or "gzip");
    }
}
