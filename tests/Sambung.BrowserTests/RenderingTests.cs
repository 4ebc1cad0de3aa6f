using System.Collections.Concurrent;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Sambung.BrowserTests.Support;
using Sambung.FakeProviders;
using static Microsoft.Playwright.Assertions;

namespace Sambung.BrowserTests;

[Collection("browser")]
public sealed class RenderingTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    private static readonly string[] LazyLibraries = ["/lib/highlight.min.js", "/lib/katex.min.js", "/lib/katex.min.css", "/lib/mermaid.min.js"];

    // Every request the page makes, and the status of every answer.
    private sealed class Traffic
    {
        public ConcurrentQueue<string> Requests { get; } = new();
        public ConcurrentQueue<(string Url, int Status)> Responses { get; } = new();

        public static Traffic Of(IPage page)
        {
            var traffic = new Traffic();
            page.Request += (_, request) => traffic.Requests.Enqueue(request.Url);
            page.Response += (_, response) => traffic.Responses.Enqueue((response.Url, response.Status));
            return traffic;
        }

        public bool Requested(string path) => Requests.Any(url => new Uri(url).AbsolutePath == path);
    }

    private static async Task SendAsync(IPage page, string text)
    {
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Message" }).FillAsync(text);
        await page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
    }

    private static ILocator Finished(IPage page) => page.Locator("li.message.assistant .message-body:not([aria-busy])");

    [Fact]
    public async Task a_hostile_reply_is_formatted_while_it_streams_and_nothing_in_it_runs_or_reaches_another_host()
    {
        var corpus = HostileCorpus();
        var chunks = Enumerable.Range(0, (corpus.Length + 15) / 16).Select(i => corpus.Substring(i * 16, Math.Min(16, corpus.Length - i * 16))).ToList();
        Fixture.Llm.Enqueue(new FakeReply { Chunks = chunks, ChunkDelay = TimeSpan.FromMilliseconds(20) });
        var page = await Fixture.SignedInPageAsync();
        var traffic = Traffic.Of(page);
        var dialogs = 0;
        page.Dialog += (_, dialog) => { dialogs++; _ = dialog.DismissAsync(); };
        await page.GotoAsync("/");

        await SendAsync(page, "Say something nasty");
        var reply = page.Locator("li.message.assistant").Last;

        // A finished block is already formatted while later text is still arriving as plain text.
        await Expect(reply.Locator(".stream-blocks strong").First).ToHaveTextAsync("after the script");
        await Expect(reply.Locator(".message-body[aria-busy=true]")).ToHaveCountAsync(1);
        Assert.DoesNotContain("unterminated fence", await reply.InnerTextAsync());

        await Expect(Finished(page)).ToHaveCountAsync(1, new() { Timeout = 60_000 });
        await Expect(reply.Locator(".diagram svg").First).ToBeAttachedAsync();
        await page.WaitForTimeoutAsync(1000); // anything a payload could have scheduled

        Assert.Equal(0, dialogs);
        Assert.DoesNotContain("pwned", await page.TitleAsync());
        var foreign = traffic.Requests.Where(url => !url.StartsWith(Fixture.App.BaseUrl, StringComparison.Ordinal) && !url.StartsWith("data:")).ToList();
        Assert.True(foreign.Count == 0, "Requests to other hosts: " + string.Join(", ", foreign));
        var live = await page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll("#messages .message-body *")].flatMap((e) => [
                ...(["SCRIPT", "IFRAME", "OBJECT", "EMBED", "FORM", "BASE", "META", "LINK", "STYLE"].includes(e.tagName) ? [e.tagName] : []),
                ...[...e.attributes].filter((a) => /^on/i.test(a.name) || /^\s*(javascript|data|vbscript):/i.test(a.value)).map((a) => `${e.tagName} ${a.name}=${a.value}`),
                ...(e.tagName === "IMG" && new URL(e.src, location.href).origin !== location.origin ? [`IMG ${e.src}`] : []),
            ])
            """);
        Assert.True(live.Length == 0, "Live markup in the reply: " + string.Join(", ", live));
        await Expect(reply.Locator("a.image-link").First).ToBeVisibleAsync();
    }

    [Fact]
    public async Task a_page_opened_in_the_middle_of_a_reply_shows_it_formatted_and_nothing_twice()
    {
        var chunks = new List<string> { "First **para**.\n\n", "- one\n- two\n\n", "Third" };
        chunks.AddRange(Enumerable.Range(0, 60).Select(i => $" w{i}"));
        Fixture.Llm.Enqueue(new FakeReply { Chunks = chunks, ChunkDelay = TimeSpan.FromMilliseconds(60) });
        var page = await Fixture.SignedInPageAsync();
        await page.GotoAsync("/");
        await SendAsync(page, "Keep talking");
        await Expect(page.Locator("li.message.assistant .stream-blocks ul")).ToHaveCountAsync(1);

        await page.ReloadAsync(); // a new connection: its snapshot draws the blocks so far and the tail

        var reply = page.Locator("li.message.assistant").Last;
        await Expect(reply.Locator(".stream-blocks strong")).ToHaveTextAsync("para");
        await Expect(reply.Locator(".stream-blocks li")).ToHaveCountAsync(2);
        await Expect(reply.Locator(".stream-text")).ToContainTextAsync("Third w");
        await Expect(Finished(page)).ToHaveCountAsync(1);
        var text = await reply.Locator(".message-body").InnerTextAsync();
        Assert.Equal(1, text.Split("para").Length - 1);
        Assert.Equal(1, text.Split("w59").Length - 1);
        Assert.Equal(1, text.Split(" w1 ").Length - 1);
    }

    [Fact]
    public async Task code_is_highlighted_and_its_copy_button_copies_it_and_says_so()
    {
        Fixture.Llm.Enqueue(FakeReply.Of(
            "Here you are:\n\n```python\ndef greet(name):\n    return \"Hello \" + name\n```\n\n- [x] written\n- [ ] tested\n\n" +
            "| a | b |\n|:--|--:|\n| 1 | 2 |\n\n![diagram](https://other.example/d.png) Done."));
        var page = await Fixture.SignedInPageAsync();
        await page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new() { Origin = Fixture.App.BaseUrl });
        var traffic = Traffic.Of(page);
        await page.GotoAsync("/");

        await SendAsync(page, "Show me code");
        await Expect(Finished(page)).ToHaveCountAsync(1);
        var block = page.Locator("li.message.assistant .code-block");
        await Expect(block.Locator("code .hljs-keyword").First).ToHaveTextAsync("def");

        var copy = block.GetByRole(AriaRole.Button, new() { Name = "Copy code" });
        await copy.ClickAsync();

        await Expect(block.GetByRole(AriaRole.Button, new() { Name = "Copied" })).ToBeVisibleAsync();
        await Expect(page.Locator("#chat-status")).ToHaveTextAsync("Copied");
        Assert.Equal("def greet(name):\n    return \"Hello \" + name\n", await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
        await Expect(copy).ToBeVisibleAsync(); // back to "Copy code" after two seconds
        Assert.True(traffic.Requested("/lib/highlight.min.js"));
        Assert.False(traffic.Requested("/lib/katex.min.js") || traffic.Requested("/lib/mermaid.min.js"));

        await page.AssertNoSeriousViolationsAsync();
    }

    [Fact]
    public async Task math_and_diagrams_are_drawn_and_their_libraries_are_fetched_only_for_a_message_that_has_them()
    {
        Fixture.Llm.Enqueue(
            FakeReply.Of("Just words, **nothing** to draw."),
            FakeReply.Of("Euler: $e^{i\\pi} + 1 = 0$\n\n$$\n\\int_0^1 x\\,dx = \\frac{1}{2}\n$$\n\n```mermaid\ngraph TD\n  A[Question] --> B[Answer]\n```\n"));
        var page = await Fixture.SignedInPageAsync();
        var traffic = Traffic.Of(page);
        var errors = new ConcurrentQueue<string>();
        page.PageError += (_, error) => errors.Enqueue(error);
        await page.GotoAsync("/");

        await SendAsync(page, "Plain please");
        await Expect(Finished(page)).ToHaveCountAsync(1);
        await page.WaitForTimeoutAsync(500);
        Assert.All(LazyLibraries, library => Assert.False(traffic.Requested(library), library));

        await SendAsync(page, "Now draw");
        await Expect(Finished(page)).ToHaveCountAsync(2);
        var reply = page.Locator("li.message.assistant").Last;
        await Expect(reply.Locator("span.math .katex")).ToHaveCountAsync(1);
        await Expect(reply.Locator("div.math .katex-display")).ToHaveCountAsync(1);
        await Expect(reply.Locator(".diagram svg")).ToHaveCountAsync(1);
        await Expect(reply.Locator(".diagram svg")).ToContainTextAsync("Answer");
        await Expect(reply.Locator(".code-block pre")).ToBeHiddenAsync(); // the diagram shows instead of its source

        Assert.True(traffic.Requested("/lib/katex.min.js") && traffic.Requested("/lib/katex.min.css") && traffic.Requested("/lib/mermaid.min.js"));
        Assert.False(traffic.Requested("/lib/highlight.min.js")); // a diagram is not code to highlight
        // KaTeX's fonts come from /lib too, and the page's CSP lets KaTeX and its stylesheet work.
        var fonts = await page.EvaluateAsync<string>("""
            async () => { await document.fonts.ready; return [...document.fonts].map((f) => f.family + ":" + f.status).join(",") + " sheets=" + document.adoptedStyleSheets.length; }
            """);
        Assert.True(fonts.Contains("KaTeX_Main:loaded"), fonts + " " + string.Join(",", traffic.Requests.Where(r => r.Contains("woff"))));
        var failed = traffic.Responses.Where(r => new Uri(r.Url).AbsolutePath.StartsWith("/lib/") && r.Status >= 400).ToList();
        Assert.True(failed.Count == 0, string.Join(", ", failed));
        Assert.Empty(errors);
    }

    // The hostile corpus lives once, in the unit tests (RenderingHostileCorpus.Document); the browser tests do not
    // reference that project, so they read the raw string literal from its source.
    private static string HostileCorpus()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var file = Path.Combine(dir.FullName, "tests", "Sambung.UnitTests", "Web", "RenderingHostileCorpus.cs");
            if (!File.Exists(file)) continue;
            var source = File.ReadAllText(file).Replace("\r\n", "\n");
            var start = source.IndexOf("Document = \"\"\"\n", StringComparison.Ordinal) + "Document = \"\"\"\n".Length;
            var end = source.IndexOf("\n\"\"\";", start, StringComparison.Ordinal);
            return source[start..end];
        }
        throw new InvalidOperationException("RenderingHostileCorpus.cs not found");
    }
}
