using JasperFx.Events;
using Marten;
using Sambung.Events;
using Sambung.Events.Conversations;

namespace Sambung.Projections.Conversations;

public sealed record HistoryEntry(long Version, DateTimeOffset At, string Actor, string Action, Guid? Target, object Data);

// Replay: a conversation exactly as it was after any event (by version or by time), and its event history.
public static class ConversationHistory
{
    public static async Task<Conversation?> AsOfVersionAsync(IQuerySession session, Guid id, long version, CancellationToken ct) =>
        Conversation.Fold((await session.Events.FetchStreamAsync(id, version: version, token: ct)).Select(e => e.Data));

    public static async Task<Conversation?> AsOfTimeAsync(IQuerySession session, Guid id, DateTimeOffset at, CancellationToken ct) =>
        Conversation.Fold((await session.Events.FetchStreamAsync(id, timestamp: at, token: ct)).Select(e => e.Data));

    public static async Task<IReadOnlyList<HistoryEntry>> EntriesAsync(IQuerySession session, Guid id, CancellationToken ct) =>
        (await session.Events.FetchStreamAsync(id, token: ct)).Select(Entry).ToList();

    private static HistoryEntry Entry(IEvent e) =>
        new(e.Version, e.Timestamp, EventFacts.Actor(e.Data), e.EventTypeName, EventFacts.Target(e.Data), e.Data);
}
