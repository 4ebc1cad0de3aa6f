using Marten;
using Sambung.Events.Conversations;

namespace Sambung.Web.Features.Chats;

// The message the user typed plus the request for its reply; the page starts the generation once this commits.
public sealed record SendMessage(PostUserMessage Command, long? ExpectedVersion);

public static class SendMessageHandler
{
    public static async Task<CommandResult> Handle(SendMessage msg, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var cmd = msg.Command;
        if (await ConversationStreams.LoadOwnedAsync(session, cmd.ConversationId, cmd.By, ct) is not { } state)
            return CommandResult.NotFound;
        return ConversationStreams.Append(session, state, ConversationDecisions.Decide(cmd, state, clock.GetUtcNow()), msg.ExpectedVersion);
    }
}
