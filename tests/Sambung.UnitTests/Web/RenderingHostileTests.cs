using Sambung.Web.Features.Rendering;

namespace Sambung.UnitTests.Web;

// The hostile corpus comes out inert on the final render and on the streaming path alike.
public sealed class RenderingHostileTests
{
    private static readonly RenderLabels Labels = RenderingMarkdownTests.Labels;

    [Theory]
    [MemberData(nameof(RenderingHostileCorpus.EachPayload), MemberType = typeof(RenderingHostileCorpus))]
    public void the_final_render_of_each_payload_is_inert(string payload) =>
        RenderingHostileCorpus.AssertInert(SafeMarkdown.ToHtml(payload, Labels));

    [Fact]
    public void the_final_render_of_the_whole_corpus_is_inert() =>
        RenderingHostileCorpus.AssertInert(SafeMarkdown.ToHtml(RenderingHostileCorpus.Document, Labels));

    [Theory]
    [MemberData(nameof(RenderingHostileCorpus.EachPayload), MemberType = typeof(RenderingHostileCorpus))]
    public void every_block_of_each_payload_rendered_while_streaming_is_inert(string payload)
    {
        var blocks = new MarkdownBlocks();
        foreach (var piece in Pieces(payload + "\n\nThe end.\n\n", 3))
            foreach (var block in blocks.Append(piece))
                RenderingHostileCorpus.AssertInert(SafeMarkdown.ToHtml(block, Labels));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(17)]
    public void every_event_of_the_streamed_corpus_is_inert(int pieceSize)
    {
        var replyId = Guid.NewGuid();
        var reply = new StreamedReply(replyId, Labels);
        var tailId = StreamedReply.TailId(replyId);
        var pieces = Pieces(RenderingHostileCorpus.Document, pieceSize);
        var events = new List<string> { reply.Start(pieces[0]).Data };
        events.AddRange(pieces.Skip(1).Select(piece => reply.Next(piece).Data));

        Assert.Contains(events, data => data.Contains("<strong>after the script</strong>"));
        foreach (var data in events) RenderingHostileCorpus.AssertInert(data, allowedId: tailId);
    }

    private static List<string> Pieces(string text, int size) =>
        Enumerable.Range(0, (text.Length + size - 1) / size).Select(i => text.Substring(i * size, Math.Min(size, text.Length - i * size))).ToList();
}
