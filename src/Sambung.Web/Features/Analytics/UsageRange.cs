namespace Sambung.Web.Features.Analytics;

public enum UsageGrouping { Day, Week, Month }

// The days a dashboard covers, both ends included, in UTC days (the days the usage projection counts in).
public sealed record UsageRange(DateOnly From, DateOnly To, string Preset)
{
    public const string Custom = "custom";
    public const int DefaultDays = 30;
    public const int MaxDays = 366 * 3;
    public static readonly int[] PresetDays = [7, 30, 90];

    public int Days => To.DayNumber - From.DayNumber + 1;

    // "7", "30" or "90" are the last days up to today; "custom" takes the two dates (in either order), and a
    // custom range longer than three years keeps its last three years. Anything else is the last 30 days.
    public static UsageRange Resolve(string? preset, DateOnly? from, DateOnly? to, DateOnly today)
    {
        if (preset == Custom && (from is not null || to is not null))
        {
            var (a, b) = (from ?? to!.Value, to ?? today);
            if (a > b) (a, b) = (b, a);
            if (b.DayNumber - a.DayNumber + 1 > MaxDays) a = b.AddDays(-(MaxDays - 1));
            return new UsageRange(a, b, Custom);
        }
        var days = int.TryParse(preset, out var n) && PresetDays.Contains(n) ? n : DefaultDays;
        return new UsageRange(today.AddDays(-(days - 1)), today, days.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}

public static class UsageBuckets
{
    public static UsageGrouping Parse(string? grouping) =>
        Enum.TryParse<UsageGrouping>(grouping, ignoreCase: true, out var g) && Enum.IsDefined(g) ? g : UsageGrouping.Day;

    // Weeks start on Monday (ISO 8601); months on their first day.
    public static DateOnly StartOf(DateOnly day, UsageGrouping grouping) => grouping switch
    {
        UsageGrouping.Week => day.AddDays(-(((int)day.DayOfWeek + 6) % 7)),
        UsageGrouping.Month => new DateOnly(day.Year, day.Month, 1),
        _ => day,
    };

    public static DateOnly Next(DateOnly start, UsageGrouping grouping) => grouping switch
    {
        UsageGrouping.Week => start.AddDays(7),
        UsageGrouping.Month => start.AddMonths(1),
        _ => start.AddDays(1),
    };

    // Every bucket that touches the range, empty ones included, so the chart shows quiet days as gaps.
    public static IEnumerable<DateOnly> Covering(UsageRange range, UsageGrouping grouping)
    {
        for (var start = StartOf(range.From, grouping); start <= range.To; start = Next(start, grouping))
            yield return start;
    }
}
