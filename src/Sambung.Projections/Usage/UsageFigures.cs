using Sambung.Events.Conversations;

namespace Sambung.Projections.Usage;

// What every usage read model counts for one UTC day, provider and model, and how each usage event changes it.
// UsageDay keeps it per owner; UsageModelDay for the whole instance. The event arithmetic lives here once, so the
// two can never disagree.
public abstract record UsageFigures
{
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

    // The document an event counts in, or none for a copied reply.
    public static IReadOnlyList<string> Unless(bool copy, string id) => copy ? [] : [id];

    public static string DayKey(DateTimeOffset at, ModelRef? model) =>
        $"{DateOnly.FromDateTime(at.UtcDateTime):yyyy-MM-dd}|{model?.Provider}|{model?.Model}";

    public static T Keyed<T>(T u, DateTimeOffset at, ModelRef? model) where T : UsageFigures => (T)(u with
    {
        Day = DateOnly.FromDateTime(at.UtcDateTime), Provider = model?.Provider ?? "", Model = model?.Model ?? "",
    });

    public static T AddRequest<T>(T u) where T : UsageFigures => (T)(u with { Requests = u.Requests + 1 });

    public static T AddCompletion<T>(T u, ReplyCompleted e) where T : UsageFigures
    {
        var ttft = e.TimeToFirstToken?.TotalMilliseconds;
        var generating = ttft is { } t ? Math.Max(0, e.Duration.TotalMilliseconds - t) : 0;
        return (T)(u with
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
        });
    }

    public static T AddFailure<T>(T u) where T : UsageFigures => (T)(u with { Failed = u.Failed + 1 });

    public static T AddStop<T>(T u) where T : UsageFigures => (T)(u with { Stopped = u.Stopped + 1 });

    public static T AddFallback<T>(T u) where T : UsageFigures => (T)(u with { Fallbacks = u.Fallbacks + 1 });
}

// The columns the usage queries read, carried by their covering indexes (SambungStore.SummedColumns).
public static class UsageColumns
{
    public static readonly string[] Day =
        ["owner_id", "model", "requests", "completed", "failed", "stopped", "input_tokens", "output_tokens",
         "time_to_first_token_count", "time_to_first_token_total_ms"];

    public static readonly string[] ChatDay = ["conversation_id", "model", "requests", "failed", "input_tokens", "output_tokens"];
}
