using Marten;
using Sambung.Events.Conversations;

namespace Sambung.Web.Features.Chats;

// How a reply ends: written by the generator (completed, failed) or by the user (stopped). No expected version:
// these follow whatever the user did meanwhile; a concurrent write makes the commit fail and the caller retries.
public static class EndReplyHandler
{
    public static async Task<CommandResult> Handle(CompleteReply cmd, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        await ConversationStreams.LoadAsync(session, cmd.ConversationId, ct) is { } state
            ? ConversationStreams.Append(session, state, ConversationDecisions.Decide(cmd, state, clock.GetUtcNow()))
            : CommandResult.NotFound;

    public static async Task<CommandResult> Handle(FailReply cmd, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        await ConversationStreams.LoadAsync(session, cmd.ConversationId, ct) is { } state
            ? ConversationStreams.Append(session, state, ConversationDecisions.Decide(cmd, state, clock.GetUtcNow()))
            : CommandResult.NotFound;

    public static async Task<CommandResult> Handle(StopReply cmd, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        await ConversationStreams.LoadOwnedAsync(session, cmd.ConversationId, cmd.By, ct) is { } state
            ? ConversationStreams.Append(session, state, ConversationDecisions.Decide(cmd, state, clock.GetUtcNow()))
            : CommandResult.NotFound;
}
