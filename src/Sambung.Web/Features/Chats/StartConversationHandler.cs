using Marten;
using Sambung.Events.Conversations;

namespace Sambung.Web.Features.Chats;

public static class StartConversationHandler
{
    public static async Task<CommandResult> Handle(StartConversation cmd, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var existing = await ConversationStreams.LoadAsync(session, cmd.ConversationId, ct);
        var decision = ConversationDecisions.Decide(cmd, existing, clock.GetUtcNow());
        return existing is null
            ? ConversationStreams.Start(session, cmd.ConversationId, decision)
            : ConversationStreams.Append(session, existing, decision);
    }
}
