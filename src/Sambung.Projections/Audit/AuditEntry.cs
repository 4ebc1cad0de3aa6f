using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using Sambung.Events;

namespace Sambung.Projections.Audit;

// Who did what, when, from where: one row per event, never any message text, so it survives a purge intact.
public sealed record AuditEntry
{
    public Guid Id { get; init; }
    public long Sequence { get; init; }
    public Guid StreamId { get; init; }
    public string Actor { get; init; } = "";
    public string Action { get; init; } = "";
    public Guid? Target { get; init; }
    public DateTimeOffset At { get; init; }
    public string? Source { get; init; }
}

public sealed class AuditProjection : IProjection
{
    public const string SourceHeader = "source";

    public Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        foreach (var e in events)
            operations.Store(new AuditEntry
            {
                Id = e.Id, Sequence = e.Sequence, StreamId = e.StreamId, Actor = EventFacts.Actor(e.Data), Action = e.EventTypeName,
                Target = EventFacts.Target(e.Data), At = e.Timestamp,
                Source = e.Headers?.TryGetValue(SourceHeader, out var source) == true ? source?.ToString() : null,
            });
        return Task.CompletedTask;
    }
}
