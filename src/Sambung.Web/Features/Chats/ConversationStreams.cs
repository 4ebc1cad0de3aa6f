using Marten;
using Sambung.Events;
using Sambung.Events.Conversations;
using Sambung.Web.Infrastructure;

namespace Sambung.Web.Features.Chats;

public enum CommandStatus { Applied, NoChange, Refused, NotFound, Conflict }

// What a command did, for the page to show. Version is the stream version after the command.
public sealed record CommandResult(CommandStatus Status, long Version = 0, string? Refusal = null)
{
    public static readonly CommandResult NotFound = new(CommandStatus.NotFound);
    public static readonly CommandResult Conflict = new(CommandStatus.Conflict, Refusal: "Conflict");
    public bool Succeeded => Status is CommandStatus.Applied or CommandStatus.NoChange;
}

// Loading and appending conversation streams: the only place a handler touches the conversation event store.
public sealed class ConversationStreams(ConversationCache cache, AuditSource source)
{
    public async Task<Conversation?> LoadAsync(IQuerySession session, Guid id, CancellationToken ct)
    {
        var cached = cache.Find(id);
        var events = await session.Events.FetchStreamAsync(id, fromVersion: (cached?.Version ?? 0) + 1, token: ct);
        var state = Conversation.Fold(events.Select(e => e.Data), cached);
        if (state is not null && events.Count > 0) cache.Keep(state);
        return state;
    }

    // Loads the conversation only if it belongs to the user: another user's id is treated as missing.
    public async Task<Conversation?> LoadOwnedAsync(IQuerySession session, Guid id, string userId, CancellationToken ct) =>
        Owned(await LoadAsync(session, id, ct), userId);

    // The user's conversation as this process last saw it, without asking the database whether that is still
    // current (it is whenever every write since went through this process). Only for work that is undone when a
    // load shows it was not (see ConversationCommandHandler).
    public Conversation? RecentOwned(Guid id, string userId) => Owned(cache.Find(id), userId);

    private static Conversation? Owned(Conversation? state, string userId) =>
        state is not null && state.OwnerId == userId && state.Lifecycle != ConversationLifecycle.Purged ? state : null;

    // Appends what was decided, checked against the version the caller saw (when it sent one; a reply that ended
    // since is no conflict, see Conversation.DecisiveVersion) and, at commit, against the version loaded here: a
    // concurrent writer makes the commit fail instead of losing either write.
    public CommandResult Append(IDocumentSession session, Conversation state, Decision decision, long? expectedVersion = null)
    {
        if (decision.IsRefused) return new(CommandStatus.Refused, state.Version, decision.Refusal);
        if (decision.IsNoChange) return new(CommandStatus.NoChange, state.Version);
        if (expectedVersion is { } expected && !state.IsCurrentFor(expected)) return new(CommandStatus.Conflict, state.Version);

        var newVersion = state.Version + decision.Events.Count;
        source.Stamp(session);
        session.Events.Append(state.Id, newVersion, decision.Events.ToArray());
        session.Listeners.Add(new KeepAfterCommit(cache, state, decision.Events));
        return new(CommandStatus.Applied, newVersion);
    }

    public CommandResult Start(IDocumentSession session, Guid id, Decision decision)
    {
        if (decision.IsRefused) return new(CommandStatus.Refused, 0, decision.Refusal);
        if (decision.IsNoChange) return new(CommandStatus.NoChange);
        source.Stamp(session);
        session.Events.StartStream(id, decision.Events.ToArray());
        session.Listeners.Add(new KeepAfterCommit(cache, null, decision.Events));
        return new(CommandStatus.Applied, decision.Events.Count);
    }

    // Once the events are stored, the state after them is what the next command starts from: it finds nothing
    // newer to fetch, and a reply it asks for can start before the database is asked.
    private sealed class KeepAfterCommit(ConversationCache cache, Conversation? before, IReadOnlyList<object> events) : DocumentSessionListenerBase
    {
        public override Task AfterCommitAsync(IDocumentSession session, Marten.Services.IChangeSet commit, CancellationToken token)
        {
            if (Conversation.Fold(events, before) is { } after) cache.Keep(after);
            return Task.CompletedTask;
        }
    }
}
