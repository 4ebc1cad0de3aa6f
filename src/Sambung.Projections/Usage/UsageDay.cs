using Marten.Events.Projections;
using Sambung.Events.Conversations;

namespace Sambung.Projections.Usage;

// Usage per owner × day (UTC) × provider × model, straight from the reply events. Async: analytics may trail the
// writes by a moment and never slow them down.
public sealed record UsageDay : UsageFigures
{
    public string Id { get; init; } = "";
    public string OwnerId { get; init; } = "";

    public static string IdFor(string ownerId, DateTimeOffset at, ModelRef? model) => $"{ownerId}|{DayKey(at, model)}";
}

public sealed partial class UsageDayProjection : MultiStreamProjection<UsageDay, string>
{
    public UsageDayProjection()
    {
        // Version 2 added the summed columns (SambungStore.SummedColumns): new tables, filled from the events by the
        // daemon in the background after an upgrade (the page says how far behind it is), instead of a startup
        // migration that rewrites every row of a large table.
        Version = 2;
        // A copied reply (a fork, an import) was asked of a provider elsewhere: no document counts it.
        Identities<ReplyRequested>(e => UsageFigures.Unless(e.Copy, UsageDay.IdFor(e.By, e.At, e.Model)));
        Identities<ReplyCompleted>(e => UsageFigures.Unless(e.Copy, UsageDay.IdFor(e.OwnerId, e.At, e.Model)));
        Identities<ReplyFailed>(e => UsageFigures.Unless(e.Copy, UsageDay.IdFor(e.OwnerId, e.At, e.Model)));
        Identities<ReplyStopped>(e => UsageFigures.Unless(e.Copy, UsageDay.IdFor(e.By, e.At, e.Model)));
        Identity<FallbackTaken>(e => UsageDay.IdFor(e.OwnerId, e.At, e.From));
    }

    public UsageDay Apply(ReplyRequested e, UsageDay u) => UsageFigures.AddRequest(Keyed(u, e.By, e.At, e.Model));

    public UsageDay Apply(ReplyCompleted e, UsageDay u) => UsageFigures.AddCompletion(Keyed(u, e.OwnerId, e.At, e.Model), e);

    public UsageDay Apply(ReplyFailed e, UsageDay u) => UsageFigures.AddFailure(Keyed(u, e.OwnerId, e.At, e.Model));

    public UsageDay Apply(ReplyStopped e, UsageDay u) => UsageFigures.AddStop(Keyed(u, e.By, e.At, e.Model));

    public UsageDay Apply(FallbackTaken e, UsageDay u) => UsageFigures.AddFallback(Keyed(u, e.OwnerId, e.At, e.From));

    private static UsageDay Keyed(UsageDay u, string owner, DateTimeOffset at, ModelRef? model) =>
        UsageFigures.Keyed(u, at, model) with { Id = UsageDay.IdFor(owner, at, model), OwnerId = owner };
}
