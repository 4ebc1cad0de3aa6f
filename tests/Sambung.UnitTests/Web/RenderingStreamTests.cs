using System.Net;
using System.Net.ServerSentEvents;
using System.Text;
using AngleSharp.Html.Parser;
using Sambung.Web.Features.Rendering;

namespace Sambung.UnitTests.Web;

public sealed class RenderingStreamTests
{
    private static readonly Guid ReplyId = Guid.Parse("0199a1b2-0000-7000-8000-000000000001");
    private static StreamedReply NewReply() => new(ReplyId, RenderingMarkdownTests.Labels);

    [Fact]
    public void text_of_an_unfinished_block_goes_out_as_encoded_text_in_an_unnamed_event()
    {
        var reply = NewReply();
        reply.Start("");

        var item = reply.Next("a <b> & \"c\"");

        Assert.Equal(("message", "a &lt;b&gt; &amp; \"c\""), (item.EventType, item.Data));
        Assert.Equal("data: a &lt;b&gt; &amp; \"c\"\n\n", Encoding.UTF8.GetString(Serialized([item]))); // no "event:" line
    }

    [Fact]
    public void a_finished_block_goes_out_rendered_with_the_tail_reset_to_what_follows_it()
    {
        var reply = NewReply();
        reply.Start("Some **bold");

        var item = reply.Next("** text.\n\nNext <para");

        Assert.Equal(StreamedReply.BlockEvent, item.EventType);
        Assert.Equal(
            "<p>Some <strong>bold</strong> text.</p>" +
            $"<span id=\"s-{ReplyId}\" hx-swap-oob=\"innerHTML\">Next &lt;para</span>", item.Data);
    }

    [Fact]
    public void the_snapshot_carries_both_the_finished_blocks_and_the_tail_so_a_reconnect_replaces_both()
    {
        var first = NewReply().Start("");
        var later = NewReply().Start("# Title\n\n- a\n- b\n\nTail\nso");

        Assert.Equal((StreamedReply.SnapshotEvent, $"<span id=\"s-{ReplyId}\" hx-swap-oob=\"innerHTML\"></span>"), (first.EventType, first.Data));
        Assert.Equal(StreamedReply.SnapshotEvent, later.EventType);
        Assert.Equal(
            "<h1>Title</h1><ul><li>a</li><li>b</li></ul>" +
            $"<span id=\"s-{ReplyId}\" hx-swap-oob=\"innerHTML\">Tail\nso</span>", later.Data);
    }

    [Fact]
    public void what_the_page_shows_is_the_whole_reply_at_every_step()
    {
        var text = "Intro words, one <b>.\n\nSecond paragraph\nof two lines.\n\n\nThird & last paragraph";
        var reply = NewReply();
        var page = new StreamPage();
        page.Apply(reply.Start(""));
        for (var i = 0; i < text.Length; i += 5)
        {
            page.Apply(reply.Next(text.Substring(i, Math.Min(5, text.Length - i))));
            // The finished blocks then the tail always read as the text so far: nothing missing, nothing twice.
            Assert.Equal(Squeeze(text[..Math.Min(text.Length, i + 5)]), Squeeze(page.Text));
        }
        Assert.Equal(2, page.Blocks.Count);
    }

    [Fact]
    public void the_bytes_sent_for_two_thousand_pieces_stay_within_a_small_multiple_of_the_reply()
    {
        var pieces = Tokens(TypicalAnswer()).Take(2000).ToList();
        var text = string.Concat(pieces);
        var reply = NewReply();
        var items = new List<SseItem<string>> { reply.Start("") };
        items.AddRange(pieces.Select(reply.Next));

        Assert.Contains(items, item => item.EventType == StreamedReply.BlockEvent && item.Data.Contains("<table>"));
        var bytes = Serialized(items).Length;
        Assert.True(bytes < 6 * Encoding.UTF8.GetByteCount(text), $"{bytes} bytes for {text.Length} characters");
    }

    // What models write: headings, paragraphs, lists, code and tables.
    public static string TypicalAnswer()
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

    // Word-sized pieces that keep their leading whitespace, as providers stream them.
    public static IEnumerable<string> Tokens(string text) =>
        System.Text.RegularExpressions.Regex.Matches(text, @"\s*\S+|\s+").Select(m => m.Value);

    [Fact]
    public void a_reply_with_no_blank_line_is_sent_once_as_text()
    {
        var text = string.Concat(Enumerable.Repeat("word ", 2000));
        var reply = NewReply();
        var items = new List<SseItem<string>> { reply.Start("") };
        items.AddRange(Enumerable.Repeat("word ", 2000).Select(reply.Next));

        Assert.Equal(text, string.Concat(items.Skip(1).Select(i => i.Data)));
    }

    private static byte[] Serialized(IEnumerable<SseItem<string>> items)
    {
        using var stream = new MemoryStream();
        SseFormatter.WriteAsync(items.ToAsyncEnumerable(), stream).GetAwaiter().GetResult();
        return stream.ToArray();
    }

    private static string Squeeze(string text) =>
        string.Join('\n', text.Replace("\r", "").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0));

    // What the browser does with the events (htmx swaps), reduced to text: the blocks container and the tail.
    private sealed class StreamPage
    {
        public List<string> Blocks { get; } = [];
        private string tail = "";

        public string Text => string.Join('\n', Blocks.Select(TextOf)) + "\n" + tail;

        public void Apply(SseItem<string> item)
        {
            var (rendered, newTail) = SplitTail(item.Data);
            switch (item.EventType)
            {
                case StreamedReply.SnapshotEvent:
                    Blocks.Clear();
                    if (rendered.Length > 0) Blocks.Add(rendered);
                    tail = newTail!;
                    break;
                case StreamedReply.BlockEvent:
                    Blocks.Add(rendered);
                    tail = newTail!;
                    break;
                default:
                    tail += WebUtility.HtmlDecode(item.Data);
                    break;
            }
        }

        private static (string Rendered, string? Tail) SplitTail(string data)
        {
            var at = data.LastIndexOf($"<span id=\"s-{ReplyId}\"", StringComparison.Ordinal);
            if (at < 0) return (data, null);
            var span = new HtmlParser().ParseDocument($"<body>{data[at..]}</body>").Body!.FirstElementChild!;
            return (data[..at], span.TextContent);
        }

        private static string TextOf(string html)
        {
            // A code block's text keeps its lines; everything else is read as the browser would show it, roughly.
            var body = new HtmlParser().ParseDocument($"<body>{html}</body>").Body!;
            return string.Join('\n', body.Children.Select(c => c.TextContent));
        }
    }
}
