using JasperFx.Events;
using Marten.Events.Projections;
using Sambung.Events.Conversations;

namespace Sambung.Projections.Usage;

// Usage per owner × day (UTC) × provider × model, straight from the reply events. Async: analytics may trail the
// writes by a moment and never slow them down.
public sealed record UsageDay
{
    public string Id { get; init; } = "";
    public string OwnerId { get; init; } = "";
    public DateOnly Day { get; init; }
    public string Provider { get; init; } = "";
    public string Model { get; init; } = "";
    public int Requests { get; init; }
    public int Completed { get; init; }
    public int Failed { get; init; }
    public int Stopped { get; init; }
    public long InputTokens { get; init; }
    public long OutputTokens { get; init; }
    public int EstimatedUsage { get; init; }
    public int TimeToFirstTokenCount { get; init; }
    public double TimeToFirstTokenTotalMs { get; init; }
    public double TimeToFirstTokenMaxMs { get; init; }
    public double DurationTotalMs { get; init; }
    public double DurationMaxMs { get; init; }

    public static string IdFor(string ownerId, DateTimeOffset at, ModelRef? model) =>
        $"{ownerId}|{DateOnly.FromDateTime(at.UtcDateTime):yyyy-MM-dd}|{model?.Provider}|{model?.Model}";
}

public sealed partial class UsageDayProjection : MultiStreamProjection<UsageDay, string>
{
    public UsageDayProjection()
    {
        Identity<ReplyRequested>(e => UsageDay.IdFor(e.By, e.At, e.Model));
        Identity<ReplyCompleted>(e => UsageDay.IdFor(e.OwnerId, e.At, e.Model));
        Identity<ReplyFailed>(e => UsageDay.IdFor(e.OwnerId, e.At, e.Model));
        Identity<ReplyStopped>(e => UsageDay.IdFor(e.By, e.At, e.Model));
    }

    public UsageDay Apply(ReplyRequested e, UsageDay u) => Keyed(u, e.By, e.At, e.Model) with { Requests = u.Requests + 1 };

    public UsageDay Apply(ReplyCompleted e, UsageDay u)
    {
        var ttft = e.TimeToFirstToken?.TotalMilliseconds;
        return Keyed(u, e.OwnerId, e.At, e.Model) with
        {
            Completed = u.Completed + 1,
            InputTokens = u.InputTokens + e.Usage.InputTokens,
            OutputTokens = u.OutputTokens + e.Usage.OutputTokens,
            EstimatedUsage = u.EstimatedUsage + (e.Usage.Estimated ? 1 : 0),
            TimeToFirstTokenCount = u.TimeToFirstTokenCount + (ttft is null ? 0 : 1),
            TimeToFirstTokenTotalMs = u.TimeToFirstTokenTotalMs + (ttft ?? 0),
            TimeToFirstTokenMaxMs = Math.Max(u.TimeToFirstTokenMaxMs, ttft ?? 0),
            DurationTotalMs = u.DurationTotalMs + e.Duration.TotalMilliseconds,
            DurationMaxMs = Math.Max(u.DurationMaxMs, e.Duration.TotalMilliseconds),
        };
    }

    public UsageDay Apply(ReplyFailed e, UsageDay u) => Keyed(u, e.OwnerId, e.At, e.Model) with { Failed = u.Failed + 1 };

    public UsageDay Apply(ReplyStopped e, UsageDay u) => Keyed(u, e.By, e.At, e.Model) with { Stopped = u.Stopped + 1 };

    private static UsageDay Keyed(UsageDay u, string owner, DateTimeOffset at, ModelRef? model) => u with
    {
        Id = UsageDay.IdFor(owner, at, model), OwnerId = owner, Day = DateOnly.FromDateTime(at.UtcDateTime),
        Provider = model?.Provider ?? "", Model = model?.Model ?? "",
    };
}
