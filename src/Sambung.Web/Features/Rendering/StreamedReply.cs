using System.Net.ServerSentEvents;

namespace Sambung.Web.Features.Rendering;

// What the bubble of a reply still being written receives (ReplyEventsEndpoint sends it; _Message.cshtml wires it):
//   snapshot   the finished blocks so far as sanitised HTML (into the blocks container) and, out of band, the
//              unfinished tail as text: both containers are replaced, so a reconnect never duplicates anything
//   (unnamed)  a piece of text appended to the tail, HTML-encoded; an unnamed event ("message") has the least framing
//   block      blocks that just finished, appended as sanitised HTML, with the tail reset (out of band) to the text
//              after them
// So text is formatted block by block while it streams. Each character goes out once as text and once inside its
// rendered block, and the text after a block boundary is sent again when the block is found: the bytes stay linear
// in the reply's length (with the snapshot once per connection and the final render once).
public sealed class StreamedReply(Guid replyId, RenderLabels labels)
{
    public const string SnapshotEvent = "snapshot";
    public const string BlockEvent = "block";
    public const string TextEvent = "message";

    private readonly MarkdownBlocks blocks = new();

    public static string BlocksId(Guid replyId) => $"sb-{replyId}";
    public static string TailId(Guid replyId) => $"s-{replyId}";

    // The first event of every connection: the text so far.
    public SseItem<string> Start(string soFar) => new(Rendered(blocks.Append(soFar)) + Tail(), SnapshotEvent);

    // The text so far as the page shows it before any event (and all a browser without JavaScript sees until it
    // reloads): the finished blocks as sanitised HTML, the tail as text. The first snapshot replaces both.
    public static (string Blocks, string Tail) SoFar(string text, RenderLabels labels)
    {
        var reply = new StreamedReply(Guid.Empty, labels);
        var finished = reply.blocks.Append(text);
        return (reply.Rendered(finished), EncodeText(reply.blocks.Tail));
    }

    // The event for text that follows.
    public SseItem<string> Next(string text) => blocks.Append(text) is { Count: > 0 } finished
        ? new(Rendered(finished) + Tail(), BlockEvent)
        : new(EncodeText(text));

    private string Rendered(IReadOnlyList<string> finished) =>
        string.Concat(finished.Select(block => SafeMarkdown.ToHtml(block, labels)));

    private string Tail() => $"<span id=\"{TailId(replyId)}\" hx-swap-oob=\"innerHTML\">{EncodeText(blocks.Tail)}</span>";

    // Text shown as text: only what would start markup is encoded (quotes need no escaping outside attributes).
    public static string EncodeText(string text) => text.AsSpan().IndexOfAny('&', '<', '>') < 0
        ? text
        : text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
