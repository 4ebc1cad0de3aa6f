using Sambung.Projections.Usage;

namespace Sambung.Web.Features.Analytics;

// A model's price per million tokens (USD), as the model catalogue says today.
public sealed record ModelPrice(decimal Input, decimal Output)
{
    public decimal CostOf(long inputTokens, long outputTokens) => (inputTokens * Input + outputTokens * Output) / 1_000_000m;
}

public sealed record UsageTotals(
    int Requests, int Completed, int Errors, int Stopped, long InputTokens, long OutputTokens, decimal Cost,
    int UnpricedRequests, int TimeToFirstTokenCount, double TimeToFirstTokenTotalMs)
{
    public static readonly UsageTotals Zero = new(0, 0, 0, 0, 0, 0, 0m, 0, 0, 0);

    public double? AverageTimeToFirstTokenMs => TimeToFirstTokenCount == 0 ? null : TimeToFirstTokenTotalMs / TimeToFirstTokenCount;

    public static UsageTotals Of(UsageFigures day, ModelPrice? price) => new(
        day.Requests, day.Completed, day.Failed, day.Stopped, day.InputTokens, day.OutputTokens,
        price?.CostOf(day.InputTokens, day.OutputTokens) ?? 0m, price is null ? day.Requests : 0,
        day.TimeToFirstTokenCount, day.TimeToFirstTokenTotalMs);

    public static UsageTotals operator +(UsageTotals a, UsageTotals b) => new(
        a.Requests + b.Requests, a.Completed + b.Completed, a.Errors + b.Errors, a.Stopped + b.Stopped,
        a.InputTokens + b.InputTokens, a.OutputTokens + b.OutputTokens, a.Cost + b.Cost,
        a.UnpricedRequests + b.UnpricedRequests, a.TimeToFirstTokenCount + b.TimeToFirstTokenCount,
        a.TimeToFirstTokenTotalMs + b.TimeToFirstTokenTotalMs);
}

public sealed record UsageBucket(DateOnly Start, UsageTotals Totals);

public sealed record UsageModelRow(string Provider, string Model, bool Priced, UsageTotals Totals);

public sealed record UsageUserRow(string OwnerId, string Name, UsageTotals Totals);

// What the period's tokens would have cost on another model, at that model's prices in effect on each day.
public sealed record UsageWhatIf(string Model, decimal? Cost, decimal ActualCost, long InputTokens, long OutputTokens);

// One dashboard's figures: totals, a series per day, week or month, and the same split by model (and by user).
public sealed record UsageReport(
    UsageRange Range, UsageGrouping Grouping, UsageTotals Totals, IReadOnlyList<UsageBucket> Series,
    IReadOnlyList<UsageModelRow> Models, IReadOnlyList<UsageUserRow>? Users)
{
    public IReadOnlyList<ModelPerformance> Performance { get; init; } = [];
    public UsageWhatIf? WhatIf { get; init; }
    public UsageChats? Chats { get; init; }

    // Today's prices whatever the day (the first slice's rule, kept for callers that have no dated prices).
    public static UsageReport Build(UsageRange range, UsageGrouping grouping, IEnumerable<UsageFigures> days,
        Func<string, ModelPrice?> priceOf) =>
        Build(range, grouping, days, (model, _) => priceOf(model));

    // days: one owner's UsageDay documents of the range, or the instance's UsageModelDay ones; priceOf: a model's
    // price on a day (PriceBook.PriceOn), or null when it has none; whatIf: a model to price the period's tokens with.
    // The instance's split by user is summed in SQL (UsageUserQuery) and added by the dashboard.
    public static UsageReport Build(UsageRange range, UsageGrouping grouping, IEnumerable<UsageFigures> days,
        Func<string, DateOnly, ModelPrice?> priceOf, string? whatIf = null)
    {
        var inRange = days.Where(d => d.Day >= range.From && d.Day <= range.To).ToList();
        var rows = inRange
            .Select(d => (Day: d, Price: priceOf(d.Model, d.Day)))
            .Select(x => (x.Day, x.Price, Totals: UsageTotals.Of(x.Day, x.Price)))
            .ToList();

        var byBucket = rows.GroupBy(r => UsageBuckets.StartOf(r.Day.Day, grouping))
            .ToDictionary(g => g.Key, g => Sum(g.Select(r => r.Totals)));
        var series = UsageBuckets.Covering(range, grouping)
            .Select(start => new UsageBucket(start, byBucket.GetValueOrDefault(start, UsageTotals.Zero)))
            .ToList();

        var models = rows.GroupBy(r => (r.Day.Provider, r.Day.Model))
            .Select(g => new UsageModelRow(g.Key.Provider, g.Key.Model, g.First().Price is not null, Sum(g.Select(r => r.Totals))))
            .OrderByDescending(m => m.Totals.Cost).ThenByDescending(m => m.Totals.Requests)
            .ThenBy(m => m.Provider, StringComparer.Ordinal).ThenBy(m => m.Model, StringComparer.Ordinal)
            .ToList();

        var totals = Sum(rows.Select(r => r.Totals));
        return new UsageReport(range, grouping, totals, series, models, null)
        {
            Performance = ModelPerformance.Of(inRange),
            WhatIf = whatIf is { Length: > 0 } ? WhatIfOn(whatIf, inRange, priceOf, totals) : null,
        };
    }

    // The split by user: each owner's summed figures, named (the owner's id when the name is unknown), most
    // expensive first.
    public static IReadOnlyList<UsageUserRow> ByUser(IEnumerable<(string OwnerId, UsageTotals Totals)> sums,
        IReadOnlyDictionary<string, string> names) => sums
        .Select(s => new UsageUserRow(s.OwnerId, names.GetValueOrDefault(s.OwnerId) is { Length: > 0 } name ? name : s.OwnerId, s.Totals))
        .OrderByDescending(u => u.Totals.Cost).ThenByDescending(u => u.Totals.Requests).ThenBy(u => u.OwnerId, StringComparer.Ordinal)
        .ToList();

    // The period's tokens, every day's at the other model's price of that day; null cost when it has no price on
    // one of the days that had tokens.
    public static UsageWhatIf WhatIfOn(string model, IReadOnlyList<UsageFigures> days, Func<string, DateOnly, ModelPrice?> priceOf, UsageTotals actual)
    {
        decimal? cost = 0m;
        foreach (var day in days.Where(d => d.InputTokens + d.OutputTokens > 0))
            cost = priceOf(model, day.Day) is { } price && cost is { } c ? c + price.CostOf(day.InputTokens, day.OutputTokens) : null;
        return new UsageWhatIf(model, cost, actual.Cost, actual.InputTokens, actual.OutputTokens);
    }

    private static UsageTotals Sum(IEnumerable<UsageTotals> totals) => totals.Aggregate(UsageTotals.Zero, (a, b) => a + b);
}
