using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Alba;
using AngleSharp.Html.Parser;
using Sambung.FakeProviders;
using Sambung.IntegrationTests.Support;
using Sambung.Web.Features.Streaming;

namespace Sambung.IntegrationTests;

// The reply's event stream formats it block by block while it is written (see StreamedReply).
public sealed partial class RenderingTests(AppFixture app) : AppTest(app)
{
    private async Task<(Guid Id, Guid ReplyId)> StartChatAsync(string text)
    {
        var form = await PageForm.ReadAsync(Host, "/");
        await Host.Scenario(s =>
        {
            form.PostTo(s, form.With(("Text", text)));
            s.StatusCodeShouldBe(HttpStatusCode.Redirect);
        });
        return (form.Id("ConversationId"), form.Id("ReplyId"));
    }

    private async Task<(List<ServerSentEvent> Events, long Bytes)> EventsAsync(Guid id, Guid replyId)
    {
        var sse = await Host.Scenario(s => s.Get.Url($"/chats/{id}/replies/{replyId}/events"));
        var body = await sse.ReadAsTextAsync();
        return (ServerSentEvents.Parse(body), Encoding.UTF8.GetByteCount(body));
    }

    [Fact]
    public async Task finished_blocks_arrive_rendered_before_the_reply_ends_and_the_unfinished_text_as_text()
    {
        App.Llm.Enqueue(new FakeReply
        {
            Chunks = ["Some ", "**bold**", " text.\n", "\n- one\n", "- two\n", "\nAfter ", "the <list>.\n", "Still ", "writing."],
            // The reply starts while the chat is created: the first token waits until the test has connected.
            FirstTokenDelay = TimeSpan.FromSeconds(1),
            ChunkDelay = TimeSpan.FromMilliseconds(40),
        });
        var (id, replyId) = await StartChatAsync("Format this");

        var (events, _) = await EventsAsync(id, replyId);

        Assert.Equal("snapshot", events[0].Name);
        var final = events.FindIndex(e => e.Name == "final");
        var blocks = events.Take(final).Where(e => e.Name == "block").Select(e => e.Data).ToList();
        Assert.Contains(blocks, b => b.StartsWith("<p>Some <strong>bold</strong> text.</p>"));
        Assert.Contains(blocks, b => b.StartsWith("<ul><li>one</li><li>two</li></ul>"));
        // Each block resets the tail to the text after it.
        Assert.All(blocks, b => Assert.Matches($"<span id=\"s-{replyId}\" hx-swap-oob=\"innerHTML\">[^<]*</span>$", b));
        Assert.DoesNotContain(events, e => e.Name == "message" && e.Data.Contains('<'));
        Assert.Contains("<p>After the &lt;list&gt;.\nStill writing.</p>", events[final].Data);
        Assert.Equal("done", events[^1].Name);
    }

    [Fact]
    public async Task a_late_connection_gets_the_finished_blocks_and_the_tail_in_one_snapshot()
    {
        var chunks = new List<string> { "First *para*.\n\n", "Second" };
        chunks.AddRange(Enumerable.Range(0, 40).Select(i => $" w{i}"));
        App.Llm.Enqueue(new FakeReply { Chunks = chunks, ChunkDelay = TimeSpan.FromMilliseconds(50) });
        var (id, replyId) = await StartChatAsync("Talk");
        var live = Host.Services.GetRequiredService<LiveReplies>();
        await Waiting.UntilAsync(() => Task.FromResult(live.Find(replyId)?.Text.Contains(" w2") == true), "the second paragraph to start");

        var (events, _) = await EventsAsync(id, replyId);

        var snapshot = events[0];
        Assert.Equal("snapshot", snapshot.Name);
        Assert.StartsWith($"<p>First <em>para</em>.</p><span id=\"s-{replyId}\" hx-swap-oob=\"innerHTML\">Second w0 w1 w2", snapshot.Data);
        var tail = new HtmlParser().ParseDocument(snapshot.Data).QuerySelector("span")!.TextContent;
        var texts = string.Concat(events.Where(e => e.Name == "message").Select(e => WebUtility.HtmlDecode(e.Data)));
        Assert.Equal("Second" + string.Concat(Enumerable.Range(0, 40).Select(i => $" w{i}")), tail + texts);
        Assert.DoesNotContain(events, e => e.Name == "block");
    }

    [Fact]
    public async Task the_bytes_sent_for_a_reply_of_two_thousand_pieces_stay_within_a_small_multiple_of_its_length()
    {
        var pieces = Tokens(TypicalAnswer()).Take(2000).ToList();
        var text = string.Concat(pieces);
        App.Llm.Enqueue(new FakeReply { Chunks = pieces, ChunkDelay = TimeSpan.FromMilliseconds(1) });
        var (id, replyId) = await StartChatAsync("Explain at length");

        var (events, bytes) = await EventsAsync(id, replyId);

        Assert.Contains(events, e => e.Name == "block");
        Assert.Equal("done", events[^1].Name);
        // Everything: the snapshot, the text and block events, the final render of the whole reply and its framing.
        var length = Encoding.UTF8.GetByteCount(text);
        Assert.True(bytes < 6 * length, $"{bytes} bytes in {events.Count} events for a reply of {length} bytes");
    }

    [Fact]
    public async Task a_code_block_on_the_page_carries_its_language_and_the_labels_of_its_copy_button()
    {
        App.Llm.Enqueue(FakeReply.Of("```csharp\nvar x = 1 < 2;\n```\n\n![chart](https://other.example/chart.png) and $e^x$"));
        var (id, replyId) = await StartChatAsync("Code please");
        await Store.ForReplyToEndAsync(replyId);

        var page = new HtmlParser().ParseDocument(await Host.GetAsText($"/c/{id}"));

        var block = page.QuerySelector($"#b-{replyId} div.code-block")!;
        Assert.Equal(("Copy code", "Copied"), (block.GetAttribute("data-copy"), block.GetAttribute("data-copied")));
        Assert.Equal("var x = 1 < 2;\n", block.QuerySelector("pre > code.language-csharp")!.TextContent);
        Assert.Empty(page.QuerySelectorAll($"#b-{replyId} img"));
        Assert.Equal("Image: chart", page.QuerySelector($"#b-{replyId} a.image-link[href='https://other.example/chart.png']")!.TextContent);
        Assert.Equal("\\(e^x\\)", page.QuerySelector($"#b-{replyId} span.math")!.TextContent);
    }

    [Fact]
    public async Task an_indonesian_reader_gets_the_labels_in_indonesian()
    {
        App.Llm.Enqueue(FakeReply.Of("```\nx\n```\n\n![grafik](https://other.example/g.png)"));
        var (id, replyId) = await StartChatAsync("Kode");
        await Store.ForReplyToEndAsync(replyId);

        var response = await Host.Scenario(s =>
        {
            s.Get.Url($"/c/{id}");
            s.WithRequestHeader("Accept-Language", "id-ID");
        });
        var page = new HtmlParser().ParseDocument(await response.ReadAsTextAsync());

        Assert.Equal("Salin kode", page.QuerySelector("div.code-block")!.GetAttribute("data-copy"));
        Assert.Equal("Gambar: grafik", page.QuerySelector("a.image-link")!.TextContent);
    }

    // Word-sized pieces keeping their leading whitespace, as providers stream them.
    private static IEnumerable<string> Tokens(string text) => TokenPattern().Matches(text).Select(m => m.Value);

    [GeneratedRegex(@"\s*\S+|\s+")]
    private static partial Regex TokenPattern();

    // What models write: headings, paragraphs, lists, code and tables.
    private static string TypicalAnswer()
    {
        var random = new Random(7);
        string Words(int count) => string.Join(' ', Enumerable.Range(0, count).Select(_ => new string('w', random.Next(2, 10))));
        var answer = new StringBuilder();
        for (var step = 1; answer.Length < 20_000; step++)
            answer.Append($"## Step {step}\n\n{Words(45)}.\n\n")
                .Append($"- first point with **{Words(2)}**\n- second point with `{Words(1)}`\n- third point {Words(6)}\n\n")
                .Append("```python\ndef step(x):\n    if x < 2:\n        return x\n    return step(x - 1) + step(x - 2)\n```\n\n")
                .Append("| name | value |\n|------|------:|\n| a | 1 |\n| b | 2 |\n\n")
                .Append($"{Words(30)}.\n\n");
        return answer.ToString();
    }
}
