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

    // Model performance: the distribution of times to first token (LatencyHistogram), the output tokens of replies
    // with a known time to first token and the time they took after it (for tokens per second), and how often this
    // model handed a reply to a fallback.
    public int[]? TimeToFirstTokenHistogram { get; init; }
    public long TimedOutputTokens { get; init; }
    public double GenerationMs { get; init; }
    public int Fallbacks { get; init; }

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
        Identity<FallbackTaken>(e => UsageDay.IdFor(e.OwnerId, e.At, e.From));
    }

    public UsageDay Apply(ReplyRequested e, UsageDay u) => Keyed(u, e.By, e.At, e.Model) with { Requests = u.Requests + 1 };

    public UsageDay Apply(ReplyCompleted e, UsageDay u)
    {
        var ttft = e.TimeToFirstToken?.TotalMilliseconds;
        var generating = ttft is { } t ? Math.Max(0, e.Duration.TotalMilliseconds - t) : 0;
        return Keyed(u, e.OwnerId, e.At, e.Model) with
        {
            TimeToFirstTokenHistogram = ttft is { } first ? LatencyHistogram.Add(u.TimeToFirstTokenHistogram, first) : u.TimeToFirstTokenHistogram,
            TimedOutputTokens = u.TimedOutputTokens + (ttft is null || generating <= 0 ? 0 : e.Usage.OutputTokens),
            GenerationMs = u.GenerationMs + (ttft is null ? 0 : generating),
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

    public UsageDay Apply(FallbackTaken e, UsageDay u) => Keyed(u, e.OwnerId, e.At, e.From) with { Fallbacks = u.Fallbacks + 1 };

    private static UsageDay Keyed(UsageDay u, string owner, DateTimeOffset at, ModelRef? model) => u with
    {
        Id = UsageDay.IdFor(owner, at, model), OwnerId = owner, Day = DateOnly.FromDateTime(at.UtcDateTime),
        Provider = model?.Provider ?? "", Model = model?.Model ?? "",
    };
}
