using Marten;
using Sambung.Events.Conversations;
using Sambung.Web.Features.Library;
using Wolverine;

namespace Sambung.Web.Features.Chats;

// Any command to an existing conversation, with the stream version the caller saw (null: the caller does not
// care, as when a reply ends or a chat moves because its folder was deleted).
public sealed record ConversationCommand(IConversationCommand Command, long? ExpectedVersion = null);

public static class ConversationBus
{
    // Sends a command to an existing conversation. A concurrent writer's commit (after the handler has decided)
    // comes back as a Conflict result: nothing was written, and the caller says so.
    public static async Task<CommandResult> RunAsync(this IMessageBus bus, IConversationCommand command, long? expectedVersion, CancellationToken ct)
    {
        try
        {
            return await bus.InvokeAsync<CommandResult>(new ConversationCommand(command, expectedVersion), ct);
        }
        catch (JasperFx.ConcurrencyException)
        {
            return CommandResult.Conflict;
        }
    }
}

// Purged text must leave the event store too; this runs after the purge commits (Wolverine's outbox), and again
// after a crash until it succeeds.
public sealed record MaskPurgedConversation(Guid ConversationId);

public static class ConversationCommandHandler
{
    public static async Task<(CommandResult, OutgoingMessages)> Handle(
        ConversationCommand message, IDocumentSession session, ConversationStreams streams, LibraryStreams library,
        TimeProvider clock, CancellationToken ct)
    {
        var command = message.Command;
        var outgoing = new OutgoingMessages();
        var state = command is IUserCommand user
            ? await streams.LoadOwnedAsync(session, command.ConversationId, user.By, ct)
            : await streams.LoadAsync(session, command.ConversationId, ct);
        if (state is null) return (CommandResult.NotFound, outgoing);

        var now = clock.GetUtcNow();
        // A tag the user already has keeps its spelling ("AI" stays "AI" when typed as "ai").
        if (command is TagConversation tagging
            && (await library.LoadAsync(session, tagging.By, ct)).Tags.TryGetValue(tagging.Tag.Trim(), out var spelling))
            command = tagging with { Tag = spelling };
        if (command is MoveConversationToFolder { FolderId: { } folderId } move
            && !(await library.LoadAsync(session, move.By, ct)).HasFolder(folderId))
            return (new CommandResult(CommandStatus.Refused, state.Version, Sambung.Events.Refusals.NotFound), outgoing);

        var decision = ConversationDecisions.Decide(command, state, now);
        var result = streams.Append(session, state, decision, message.ExpectedVersion);
        if (result.Status != CommandStatus.Applied) return (result, outgoing);

        // A tag used on a chat joins the user's tag list.
        if (command is TagConversation tag && decision.Events.OfType<ConversationTagged>().FirstOrDefault() is { } tagged)
            await library.EnsureTagAsync(session, tag.By, tagged.Tag, now, ct);
        if (decision.Events.OfType<ConversationPurged>().Any())
            outgoing.Add(new MaskPurgedConversation(state.Id));
        outgoing.Add(new ChatListChanged(state.OwnerId)); // the user's other tabs refresh their sidebar
        return (result, outgoing);
    }
}

public static class StartConversationHandler
{
    public static async Task<(CommandResult, OutgoingMessages)> Handle(StartConversation cmd, IDocumentSession session, ConversationStreams streams,
        TimeProvider clock, CancellationToken ct)
    {
        var existing = await streams.LoadAsync(session, cmd.ConversationId, ct);
        var decision = ConversationDecisions.Decide(cmd, existing, clock.GetUtcNow());
        var result = existing is null
            ? streams.Start(session, cmd.ConversationId, decision)
            : streams.Append(session, existing, decision);
        var outgoing = new OutgoingMessages();
        if (result.Status == CommandStatus.Applied) outgoing.Add(new ChatListChanged(cmd.OwnerId));
        return (result, outgoing);
    }
}

public static class MaskPurgedConversationHandler
{
    public static async Task Handle(MaskPurgedConversation message, IDocumentStore store, ConversationCache cache, CancellationToken ct)
    {
        await store.Advanced.ApplyEventDataMasking(m => m.IncludeStream(message.ConversationId), ct);
        cache.Forget(message.ConversationId);
    }
}
