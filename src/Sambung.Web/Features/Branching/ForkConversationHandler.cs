using Marten;
using Sambung.Events.Conversations;
using Sambung.Web.Features.Chats;
using Wolverine;

namespace Sambung.Web.Features.Branching;

// "Fork to a new chat": the source is loaded as its owner's (anyone else's is not found), the fork decided purely,
// and the new stream started in one commit. The copied path is a chain, each node under the one before, which is
// the commit shape the node projection is known to handle (see ChatImporter.Batches).
public static class ForkConversationHandler
{
    public static async Task<(CommandResult, OutgoingMessages)> Handle(ForkConversation cmd, IDocumentSession session, ConversationStreams streams,
        TimeProvider clock, CancellationToken ct)
    {
        var outgoing = new OutgoingMessages();
        if (await streams.LoadOwnedAsync(session, cmd.SourceConversationId, cmd.By, ct) is not { } source) return (CommandResult.NotFound, outgoing);
        var existing = await streams.LoadAsync(session, cmd.NewConversationId, ct);
        var decision = ConversationDecisions.Decide(cmd, existing, source, clock.GetUtcNow());
        var result = existing is null ? streams.Start(session, cmd.NewConversationId, decision) : streams.Append(session, existing, decision);
        if (result.Status == CommandStatus.Applied) outgoing.Add(new ChatListChanged(cmd.By));
        return (result, outgoing);
    }
}
