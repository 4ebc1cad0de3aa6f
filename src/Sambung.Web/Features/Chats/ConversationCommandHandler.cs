using Marten;
using Sambung.Events.Conversations;
using Sambung.Web.Features.Library;
using Sambung.Web.Features.Streaming;
using Wolverine;

namespace Sambung.Web.Features.Chats;

// Any command to an existing conversation, with the stream version the caller saw (null: the caller does not
// care, as when a reply ends or a chat moves because its folder was deleted). Generate: the replies it asks for are
// generated, starting while the events commit (the pages ask for it; tests that play the provider's part do not).
public sealed record ConversationCommand(IConversationCommand Command, long? ExpectedVersion = null, bool Generate = false)
{
    // The replies the handler started for this command, set by the handler (the message is handed over in memory,
    // never serialised): when the commit after the handler fails as a conflict, the sender gives them up at once.
    internal StartedReplies? Started { get; set; }
}

// The new-chat form: a conversation started with its first message, whose reply is generated.
public sealed record StartChat(StartConversation Conversation);

public static class ConversationBus
{
    // Sends a command to an existing conversation. A concurrent writer's commit (after the handler has decided)
    // comes back as a Conflict result: nothing was written, and the caller says so.
    public static Task<CommandResult> RunAsync(this IMessageBus bus, IConversationCommand command, long? expectedVersion, CancellationToken ct) =>
        SendAsync(bus, new ConversationCommand(command, expectedVersion), ct);

    // The same, and the replies the command asks for are generated.
    public static Task<CommandResult> RunAndGenerateAsync(this IMessageBus bus, IConversationCommand command, long? expectedVersion, CancellationToken ct) =>
        SendAsync(bus, new ConversationCommand(command, expectedVersion, Generate: true), ct);

    // A write committed between the command's load and its commit (the automatic title, a reply ending, another
    // tab) makes the commit fail. Nothing was stored, so the command is decided again on what is stored now, where
    // the version the caller saw is checked as always: only a change the caller must have seen is a conflict.
    private const int CommitAttempts = 3;

    private static async Task<CommandResult> SendAsync(IMessageBus bus, ConversationCommand message, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await bus.InvokeAsync<CommandResult>(message, ct);
            }
            catch (JasperFx.ConcurrencyException)
            {
                // The replies started for it stop now, instead of generating (and being billed) until the database is
                // asked whether they exist. Any other failure may have happened after the commit; those are left to
                // that check (ReplyGenerator.WhenCommittedAsync).
                message.Started?.Abandon();
                message.Started = null;
                if (attempt == CommitAttempts) return CommandResult.Conflict;
            }
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
        ReplyGenerator generator, TimeProvider clock, CancellationToken ct)
    {
        var command = message.Command;
        var outgoing = new OutgoingMessages();
        var now = clock.GetUtcNow();
        var early = message.Generate ? StartEarly(generator, streams, command, message.ExpectedVersion, now) : null;
        Conversation? state;
        try
        {
            state = command is IUserCommand user
                ? await streams.LoadOwnedAsync(session, command.ConversationId, user.By, ct)
                : await streams.LoadAsync(session, command.ConversationId, ct);
        }
        catch
        {
            early?.Replies.Abandon();
            throw;
        }
        // The replies started early stand only if nothing was appended since the state they were decided on.
        if (early is not null && early.State.Version != state?.Version)
        {
            early.Replies.Abandon();
            early = null;
        }
        if (state is null) return (CommandResult.NotFound, outgoing);

        // A tag the user already has keeps its spelling ("AI" stays "AI" when typed as "ai").
        if (command is TagConversation tagging
            && (await library.LoadAsync(session, tagging.By, ct)).Tags.TryGetValue(tagging.Tag.Trim(), out var spelling))
            command = tagging with { Tag = spelling };
        if (command is MoveConversationToFolder { FolderId: { } folderId } move
            && !(await library.LoadAsync(session, move.By, ct)).HasFolder(folderId))
            return (new CommandResult(CommandStatus.Refused, state.Version, Sambung.Events.Refusals.NotFound), outgoing);

        var decision = early?.Decision ?? ConversationDecisions.Decide(command, state, now);
        var result = streams.Append(session, state, decision, message.ExpectedVersion);
        if (result.Status != CommandStatus.Applied)
        {
            early?.Replies.Abandon();
            return (result, outgoing);
        }
        if (early is not null)
        {
            early.Replies.AfterCommitOf(session);
            message.Started = early.Replies;
        }
        else if (message.Generate) message.Started = StartReplies(generator, session, state, decision);

        // A tag used on a chat joins the user's tag list.
        if (command is TagConversation tag && decision.Events.OfType<ConversationTagged>().FirstOrDefault() is { } tagged)
            await library.EnsureTagAsync(session, tag.By, tagged.Tag, now, ct);
        if (decision.Events.OfType<ConversationPurged>().Any())
            outgoing.Add(new MaskPurgedConversation(state.Id));
        outgoing.Add(new ChatListChanged(state.OwnerId)); // the user's other tabs refresh their sidebar
        return (result, outgoing);
    }

    // A reply asked of a conversation this process has in memory starts before the database is asked whether that
    // memory is current: the provider request leaves while the events are fetched, decided on and stored. When the
    // fetch shows the memory was behind, or the command is not stored, the early replies are abandoned (their calls
    // cancelled, nothing recorded) and the command is decided again on what the database holds.
    private sealed record EarlyStart(Conversation State, Sambung.Events.Decision Decision, StartedReplies Replies);

    private static EarlyStart? StartEarly(ReplyGenerator generator, ConversationStreams streams, IConversationCommand command,
        long? expectedVersion, DateTimeOffset now)
    {
        if (command is not IUserCommand user || streams.RecentOwned(command.ConversationId, user.By) is not { } recent) return null;
        if (expectedVersion is { } seen && !recent.IsCurrentFor(seen)) return null; // a conflict, or this memory is behind
        var decision = ConversationDecisions.Decide(command, recent, now);
        if (!decision.Events.OfType<ReplyRequested>().Any()) return null; // refused, or nothing to generate
        return Conversation.Fold(decision.Events, recent) is { } after ? new(recent, decision, generator.Begin(after, decision.Events)) : null;
    }

    // A reply this decision asks for starts now, from the state after it, while the events commit.
    internal static StartedReplies? StartReplies(ReplyGenerator generator, IDocumentSession session, Conversation? before, Sambung.Events.Decision decision) =>
        decision.Events.OfType<ReplyRequested>().Any() && Conversation.Fold(decision.Events, before) is { } after
            ? generator.BeginAfterCommit(session, after, decision.Events)
            : null;
}

public static class StartConversationHandler
{
    public static Task<(CommandResult, OutgoingMessages)> Handle(StartConversation cmd, IDocumentSession session, ConversationStreams streams,
        ReplyGenerator generator, TimeProvider clock, CancellationToken ct) =>
        StartAsync(cmd.ConversationId, cmd.OwnerId, (existing, now) => ConversationDecisions.Decide(cmd, existing, now), generate: false,
            session, streams, generator, clock, ct);

    public static Task<(CommandResult, OutgoingMessages)> Handle(StartChat chat, IDocumentSession session, ConversationStreams streams,
        ReplyGenerator generator, TimeProvider clock, CancellationToken ct) =>
        StartAsync(chat.Conversation.ConversationId, chat.Conversation.OwnerId,
            (existing, now) => ConversationDecisions.Decide(chat.Conversation, existing, now), generate: true, session, streams, generator, clock, ct);

    // A new conversation's first events (decide: against the stream if the id is already taken), and its replies
    // generated when asked, starting while the events commit.
    internal static async Task<(CommandResult, OutgoingMessages)> StartAsync(Guid conversationId, string ownerId,
        Func<Conversation?, DateTimeOffset, Sambung.Events.Decision> decide, bool generate, IDocumentSession session,
        ConversationStreams streams, ReplyGenerator generator, TimeProvider clock, CancellationToken ct)
    {
        var existing = await streams.LoadAsync(session, conversationId, ct);
        var decision = decide(existing, clock.GetUtcNow());
        var result = existing is null
            ? streams.Start(session, conversationId, decision)
            : streams.Append(session, existing, decision);
        var outgoing = new OutgoingMessages();
        if (result.Status == CommandStatus.Applied)
        {
            if (generate) ConversationCommandHandler.StartReplies(generator, session, existing, decision);
            outgoing.Add(new ChatListChanged(ownerId));
        }
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
