using Marten;
using Sambung.Events;
using Sambung.Events.Conversations;

namespace Sambung.Web.Features.Chats;

public enum CommandStatus { Applied, NoChange, Refused, NotFound, Conflict }

// What a conversation command did, for the page to show. Version is the stream version after the command.
public sealed record CommandResult(CommandStatus Status, long Version = 0, string? Refusal = null)
{
    public static readonly CommandResult NotFound = new(CommandStatus.NotFound);
    public bool Succeeded => Status is CommandStatus.Applied or CommandStatus.NoChange;
}

// Loading and appending conversation streams: the only place a handler touches the event store.
public static class ConversationStreams
{
    public static async Task<Conversation?> LoadAsync(IDocumentSession session, Guid id, CancellationToken ct)
    {
        var events = await session.Events.FetchStreamAsync(id, token: ct);
        return Conversation.Fold(events.Select(e => e.Data));
    }

    // Loads the conversation only if it belongs to the user: another user's id is treated as missing.
    public static async Task<Conversation?> LoadOwnedAsync(IDocumentSession session, Guid id, string userId, CancellationToken ct) =>
        await LoadAsync(session, id, ct) is { } state && state.OwnerId == userId ? state : null;

    // Appends what was decided, checked against the version the caller saw (when it sent one) and, at commit,
    // against the version loaded here: a concurrent writer makes the commit fail instead of losing either write.
    public static CommandResult Append(IDocumentSession session, Conversation state, Decision decision, long? expectedVersion = null)
    {
        if (decision.IsRefused) return new(CommandStatus.Refused, state.Version, decision.Refusal);
        if (decision.IsNoChange) return new(CommandStatus.NoChange, state.Version);
        if (expectedVersion is { } expected && expected != state.Version) return new(CommandStatus.Conflict, state.Version);

        var newVersion = state.Version + decision.Events.Count;
        session.Events.Append(state.Id, newVersion, decision.Events.ToArray());
        return new(CommandStatus.Applied, newVersion);
    }

    public static CommandResult Start(IDocumentSession session, Guid id, Decision decision)
    {
        if (decision.IsRefused) return new(CommandStatus.Refused, 0, decision.Refusal);
        if (decision.IsNoChange) return new(CommandStatus.NoChange);
        session.Events.StartStream(id, decision.Events.ToArray());
        return new(CommandStatus.Applied, decision.Events.Count);
    }
}
