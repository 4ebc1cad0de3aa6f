using System.Globalization;

namespace Sambung.Web.Features.Analytics;

// Figures as the reader's language writes them.
public static class UsageFormat
{
    public static string Count(long n) => n.ToString("N0", CultureInfo.CurrentCulture);

    // Dollars with cents; small amounts keep four decimals so a few cheap replies do not show as zero.
    public static string Cost(decimal usd) =>
        "US$" + usd.ToString(usd != 0 && Math.Abs(usd) < 1 ? "N4" : "N2", CultureInfo.CurrentCulture);

    public static string Milliseconds(double? ms) => ms is { } v ? v.ToString("N0", CultureInfo.CurrentCulture) + " ms" : "–";

    public static string Rate(double? value) => value is { } v ? v.ToString("N1", CultureInfo.CurrentCulture) : "–";

    public static string Percent(double? ratio) => ratio is { } r ? r.ToString("P1", CultureInfo.CurrentCulture) : "–";

    public static string Day(DateOnly day) => day.ToString("d MMM yyyy", CultureInfo.CurrentCulture);

    public static string Short(DateOnly day, UsageGrouping grouping) =>
        day.ToString(grouping == UsageGrouping.Month ? "MMM yyyy" : "d MMM", CultureInfo.CurrentCulture);

    public static string Iso(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
