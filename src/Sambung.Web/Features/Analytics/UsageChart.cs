namespace Sambung.Web.Features.Analytics;

public sealed record ChartBar(UsageBucket Bucket, double X, double Width, double InputY, double InputHeight, double OutputY, double OutputHeight);

public sealed record ChartTick(double Y, long Value);

// The geometry of the tokens chart: a stacked bar per bucket (input below, output above) on a 0..nice-maximum
// scale, in SVG user units. The page draws it; the numbers sit in a table beside it.
public sealed record UsageChart(double Width, double Height, double PlotLeft, double PlotTop, double PlotBottom, long Max,
    IReadOnlyList<ChartBar> Bars, IReadOnlyList<ChartTick> Ticks)
{
    public const double DefaultWidth = 720, DefaultHeight = 240, Left = 56, Top = 8, Bottom = 24, Right = 8, MaxBarWidth = 48;

    // The tokens chart: input below, output above.
    public static UsageChart Layout(IReadOnlyList<UsageBucket> series, double width = DefaultWidth, double height = DefaultHeight) =>
        Layout(series, t => (t.InputTokens, t.OutputTokens), width, height);

    // The requests chart: requests that did not fail below, errors above (together: every request).
    public static UsageChart Requests(IReadOnlyList<UsageBucket> series) =>
        Layout(series, t => (Math.Max(0, t.Requests - t.Errors), t.Errors));

    // The cost chart: one bar per bucket, in millionths of a dollar so the scale stays in whole numbers (the tick
    // labels divide again: UsageChartView.Cost).
    public static UsageChart Cost(IReadOnlyList<UsageBucket> series) =>
        Layout(series, t => ((long)Math.Round(t.Cost * MicrosPerDollar), 0));

    public const decimal MicrosPerDollar = 1_000_000m;

    // Any two stacked counts per bucket: parts gives (lower, upper); the bar's "Input" is the lower part.
    public static UsageChart Layout(IReadOnlyList<UsageBucket> series, Func<UsageTotals, (long Lower, long Upper)> parts,
        double width = DefaultWidth, double height = DefaultHeight)
    {
        var plotBottom = height - Bottom;
        var plotHeight = plotBottom - Top;
        var max = NiceMax(series.Count == 0 ? 0 : series.Max(b => parts(b.Totals).Lower + parts(b.Totals).Upper));
        var slot = series.Count == 0 ? 0 : (width - Left - Right) / series.Count;
        var barWidth = Math.Clamp(slot * 0.7, 1, MaxBarWidth); // a few wide buckets stay bars, not blocks
        var bars = series.Select((b, i) =>
        {
            var (lower, upper) = parts(b.Totals);
            var input = plotHeight * lower / max;
            var output = plotHeight * upper / max;
            var x = Left + i * slot + (slot - barWidth) / 2;
            return new ChartBar(b, Round(x), Round(barWidth), Round(plotBottom - input), Round(input), Round(plotBottom - input - output), Round(output));
        }).ToList();
        var ticks = Enumerable.Range(0, 5).Select(i => new ChartTick(Round(plotBottom - plotHeight * i / 4), max * i / 4)).ToList();
        return new UsageChart(width, height, Left, Top, plotBottom, max, bars, ticks);
    }

    // The smallest round number (1, 2, 2.5, 4, 5 or 8 × 10ⁿ) at or above the value that four ticks divide evenly; at least 4.
    public static long NiceMax(long value)
    {
        if (value <= 4) return 4;
        var magnitude = (long)Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (var step in new[] { 1m, 2m, 2.5m, 4m, 5m, 8m, 10m })
        {
            var candidate = (long)(step * magnitude);
            if (candidate >= value && candidate % 4 == 0) return candidate;
        }
        var top = 10 * magnitude;
        return top % 4 == 0 ? top : (top + 3) / 4 * 4;
    }

    private static double Round(double v) => Math.Round(v, 2);

    // SVG numbers are written the invariant way whatever the reader's language ("12.5", never "12,5").
    public static string Svg(double v) => v.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture);
}

// One chart as the page draws it (_UsageChart): its geometry, its accessible title and description, the legend of its
// lower (and upper) part, and how a tick's value reads.
public sealed record UsageChartView(string Id, UsageChart Chart, string Title, string Description, string LowerLabel, string? UpperLabel,
    Func<long, string> Tick, UsageGrouping Grouping, int LabelEvery)
{
    public static string Count(long value) => UsageFormat.Count(value);

    public static string Cost(long micros) => UsageFormat.Cost(micros / UsageChart.MicrosPerDollar);
}
