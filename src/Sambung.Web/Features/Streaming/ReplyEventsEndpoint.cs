using System.Net;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text;
using Marten;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.Extensions.Localization;
using Sambung.Projections.Conversations;
using Sambung.Web.Features.Accounts;
using Sambung.Events.Conversations;
using Sambung.Web.Features.Chats;
using Sambung.Web.Features.Rendering;
using Wolverine;

namespace Sambung.Web.Features.Streaming;

// Server-Sent Events for one reply, consumed by htmx's SSE extension:
//   snapshot, block and unnamed text events: the reply while it is written, formatted block by block (StreamedReply)
//   final:    the finished message rendered as sanitised markdown, plus out-of-band updates
//   done:     tells the extension to close the connection instead of reconnecting
// Bytes sent stay linear in the reply's length: each piece of text is sent once as text and once rendered, the
// snapshot once per connection, the final render once.
public static class ReplyEventsEndpoint
{
    private static readonly TimeSpan Frame = TimeSpan.FromMilliseconds(16);

    public static string UrlFor(Guid conversationId, Guid replyId) => $"/chats/{conversationId}/replies/{replyId}/events";

    public static void MapReplyEvents(this IEndpointRouteBuilder app) =>
        app.MapGet("/chats/{conversationId:guid}/replies/{replyId:guid}/events",
            async (Guid conversationId, Guid replyId, IQuerySession session, CurrentUser user, LiveReplies live,
                IStringLocalizer<SharedResource> text, IMessageBus bus, IAntiforgery antiforgery, TimeProvider clock, HttpContext http,
                CancellationToken ct) =>
            {
                var node = await session.LoadAsync<TreeNode>(replyId, ct);
                if (node is null || node.ConversationId != conversationId || node.OwnerId != user.Id)
                    return Results.NotFound();
                // The Regenerate form sent at the end needs a token; made now, before the response starts streaming.
                var token = antiforgery.GetAndStoreTokens(http).RequestToken!;
                return TypedResults.ServerSentEvents(Stream(conversationId, replyId, session, live, text, bus, token, clock, ct));
            });

    // The finished bubble body replaces the streaming one (dropping its SSE wiring and aria-busy); out of band, the
    // Stop button goes, the composer learns the new version, and screen readers hear that the reply ended.
    private static string Final(TreeNode node, ConversationTree tree, IStringLocalizer text, string token) =>
        MessageBody.Element(node, text)
        + MessageActions.Element(node, token, text, outOfBand: true)
        + ComposerVersion.OutOfBand(tree.Version)
        + $"<div id=\"chat-status\" hx-swap-oob=\"innerHTML\">{WebUtility.HtmlEncode(text[$"Reply.Ended.{node.Status}"])}</div>";

    private static async IAsyncEnumerable<SseItem<string>> Stream(
        Guid conversationId, Guid replyId, IQuerySession session, LiveReplies live, IStringLocalizer text,
        IMessageBus bus, string token, TimeProvider clock, [EnumeratorCancellation] CancellationToken ct)
    {
        if (live.Find(replyId) is { } reply)
        {
            var (soFar, updates) = reply.Watch();
            var streamed = new StreamedReply(replyId, RenderLabels.From(text));
            yield return streamed.Start(soFar);
            if (updates is not null)
            {
                try
                {
                    // At most one event per frame: a fast model's tokens are gathered (fewer swaps, less framing),
                    // a slow one's go out as they come.
                    var pending = new StringBuilder();
                    var lastSent = long.MinValue;
                    while (await updates.WaitToReadAsync(ct))
                    {
                        if (lastSent != long.MinValue && Frame - clock.GetElapsedTime(lastSent) is { Ticks: > 0 } wait)
                            await Task.Delay(wait, clock, ct);
                        while (updates.TryRead(out var delta)) pending.Append(delta);
                        if (pending.Length == 0) continue;
                        yield return streamed.Next(pending.ToString());
                        pending.Clear();
                        lastSent = clock.GetTimestamp();
                    }
                }
                finally
                {
                    reply.Unwatch(updates);
                }
            }
        }

        // The reply has ended (its end is stored before watchers are released): send what is stored.
        var node = await session.LoadAsync<TreeNode>(replyId, ct);
        if (node is { IsPending: true } && live.Find(replyId) is null)
        {
            // Nothing is generating it any more (the server restarted mid-reply): say so instead of waiting forever.
            await bus.InvokeAsync<CommandResult>(new ConversationCommand(new FailReply(conversationId, replyId,
                ReplyErrorKinds.Interrupted, "The server restarted while replying.", node.Text)), ct);
            node = await session.LoadAsync<TreeNode>(replyId, ct);
        }
        var tree = await session.LoadAsync<ConversationTree>(conversationId, ct);
        if (node is not null && tree is not null)
            yield return new(Final(node, tree, text, token), "final");
        yield return new("", "done");
    }
}
