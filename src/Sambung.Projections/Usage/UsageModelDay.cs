using Marten.Events.Projections;
using Sambung.Events.Conversations;

namespace Sambung.Projections.Usage;

// Usage of the whole instance per day (UTC) × provider × model: what the instance dashboard's totals, series, model
// split and model performance read, a few hundred documents a year however many users there are (its split by user
// is summed in SQL from UsageDay's columns). The same arithmetic as UsageDay, without the owner.
public sealed record UsageModelDay : UsageFigures
{
    public string Id { get; init; } = "";

    public static string IdFor(DateTimeOffset at, ModelRef? model) => DayKey(at, model);
}

public sealed partial class UsageModelDayProjection : MultiStreamProjection<UsageModelDay, string>
{
    public UsageModelDayProjection()
    {
        Identities<ReplyRequested>(e => UsageFigures.Unless(e.Copy, UsageModelDay.IdFor(e.At, e.Model)));
        Identities<ReplyCompleted>(e => UsageFigures.Unless(e.Copy, UsageModelDay.IdFor(e.At, e.Model)));
        Identities<ReplyFailed>(e => UsageFigures.Unless(e.Copy, UsageModelDay.IdFor(e.At, e.Model)));
        Identities<ReplyStopped>(e => UsageFigures.Unless(e.Copy, UsageModelDay.IdFor(e.At, e.Model)));
        Identity<FallbackTaken>(e => UsageModelDay.IdFor(e.At, e.From));
    }

    public UsageModelDay Apply(ReplyRequested e, UsageModelDay u) => UsageFigures.AddRequest(Keyed(u, e.At, e.Model));

    public UsageModelDay Apply(ReplyCompleted e, UsageModelDay u) => UsageFigures.AddCompletion(Keyed(u, e.At, e.Model), e);

    public UsageModelDay Apply(ReplyFailed e, UsageModelDay u) => UsageFigures.AddFailure(Keyed(u, e.At, e.Model));

    public UsageModelDay Apply(ReplyStopped e, UsageModelDay u) => UsageFigures.AddStop(Keyed(u, e.At, e.Model));

    public UsageModelDay Apply(FallbackTaken e, UsageModelDay u) => UsageFigures.AddFallback(Keyed(u, e.At, e.From));

    private static UsageModelDay Keyed(UsageModelDay u, DateTimeOffset at, ModelRef? model) =>
        UsageFigures.Keyed(u, at, model) with { Id = UsageModelDay.IdFor(at, model) };
}
