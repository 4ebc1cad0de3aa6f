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

    public static UsageTotals Of(UsageDay day, ModelPrice? price) => new(
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

// One dashboard's figures: totals, a series per day, week or month, and the same split by model (and by user).
public sealed record UsageReport(
    UsageRange Range, UsageGrouping Grouping, UsageTotals Totals, IReadOnlyList<UsageBucket> Series,
    IReadOnlyList<UsageModelRow> Models, IReadOnlyList<UsageUserRow>? Users)
{
    // days: the UsageDay documents of the range; priceOf: a model id's price, or null when the catalogue has none;
    // userNames: given for the instance dashboard only, which also splits by user.
    public static UsageReport Build(UsageRange range, UsageGrouping grouping, IEnumerable<UsageDay> days,
        Func<string, ModelPrice?> priceOf, IReadOnlyDictionary<string, string>? userNames = null)
    {
        var rows = days.Where(d => d.Day >= range.From && d.Day <= range.To)
            .Select(d => (Day: d, Price: priceOf(d.Model)))
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

        var users = userNames is null ? null : rows.GroupBy(r => r.Day.OwnerId)
            .Select(g => new UsageUserRow(g.Key, userNames.GetValueOrDefault(g.Key) is { Length: > 0 } name ? name : g.Key, Sum(g.Select(r => r.Totals))))
            .OrderByDescending(u => u.Totals.Cost).ThenByDescending(u => u.Totals.Requests).ThenBy(u => u.OwnerId, StringComparer.Ordinal)
            .ToList();

        return new UsageReport(range, grouping, Sum(rows.Select(r => r.Totals)), series, models, users);
    }

    private static UsageTotals Sum(IEnumerable<UsageTotals> totals) => totals.Aggregate(UsageTotals.Zero, (a, b) => a + b);
}
