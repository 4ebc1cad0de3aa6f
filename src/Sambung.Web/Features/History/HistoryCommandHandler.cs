using Marten;
using Sambung.Events.Conversations;
using Sambung.Projections.Conversations;
using Sambung.Web.Features.Chats;
using Sambung.Web.Features.Streaming;
using Wolverine;

namespace Sambung.Web.Features.History;

// "Restore this version" and "Ask several models" through the same load, decide, append path as every other
// conversation command (ConversationCommandHandler), with their own decisions (HistoryDecisions).
// Generate: the replies it asks for are generated, starting while it commits (see ConversationCommand).
public sealed record HistoryCommand(IUserCommand Command, long? ExpectedVersion = null, bool Generate = false);

public static class HistoryBus
{
    public static async Task<CommandResult> RunHistoryAsync(this IMessageBus bus, IUserCommand command, long? expectedVersion, CancellationToken ct,
        bool generate = false)
    {
        try
        {
            return await bus.InvokeAsync<CommandResult>(new HistoryCommand(command, expectedVersion, generate), ct);
        }
        catch (JasperFx.ConcurrencyException)
        {
            return CommandResult.Conflict;
        }
    }
}

public static class HistoryCommandHandler
{
    public static async Task<(CommandResult, OutgoingMessages)> Handle(HistoryCommand message, IDocumentSession session,
        ConversationStreams streams, ReplyGenerator generator, TimeProvider clock, CancellationToken ct)
    {
        var outgoing = new OutgoingMessages();
        var command = message.Command;
        if (await streams.LoadOwnedAsync(session, command.ConversationId, command.By, ct) is not { } state)
            return (CommandResult.NotFound, outgoing);

        var now = clock.GetUtcNow();
        var decision = command switch
        {
            RestoreVersion restore => HistoryDecisions.Decide(restore, state,
                restore.Version is >= 1 && restore.Version <= state.Version
                    ? await ConversationHistory.AsOfVersionAsync(session, state.Id, restore.Version, ct)
                    : null, now),
            AskSeveralModels ask => HistoryDecisions.Decide(ask, state, now),
            _ => throw new ArgumentException($"No history decision for {command.GetType().Name}", nameof(message)),
        };
        var result = streams.Append(session, state, decision, message.ExpectedVersion);
        if (result.Status != CommandStatus.Applied) return (result, outgoing);
        if (message.Generate) ConversationCommandHandler.StartReplies(generator, session, state, decision);
        outgoing.Add(new ChatListChanged(state.OwnerId));
        return (result, outgoing);
    }
}

// The new-chat page's "Ask several models": the conversation starts as the new-chat form starts it (StartChat), with a
// reply from every chosen model, each generated while the events commit.
public sealed record StartChatWithSeveralModels(StartWithSeveralModels Conversation);

public static class StartChatWithSeveralModelsHandler
{
    public static Task<(CommandResult, OutgoingMessages)> Handle(StartChatWithSeveralModels message, IDocumentSession session,
        ConversationStreams streams, ReplyGenerator generator, TimeProvider clock, CancellationToken ct) =>
        StartConversationHandler.StartAsync(message.Conversation.ConversationId, message.Conversation.OwnerId,
            (existing, now) => HistoryDecisions.Decide(message.Conversation, existing, now), generate: true, session, streams, generator, clock, ct);
}
