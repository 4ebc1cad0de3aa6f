using System.Globalization;
using System.Text.Json;
using System.Xml.Linq;
using Sambung.Projections.Usage;
using Sambung.Web.Features.Analytics;

namespace Sambung.UnitTests.Analytics;

public sealed class UsageRangeTests
{
    private static readonly DateOnly Today = new(2026, 11, 26); // a Thursday

    [Theory]
    [InlineData("7", 7)]
    [InlineData("30", 30)]
    [InlineData("90", 90)]
    [InlineData(null, 30)]
    [InlineData("12", 30)]
    [InlineData("custom", 30)] // custom without dates
    public void a_preset_is_the_last_n_days_up_to_today_and_anything_else_is_thirty(string? preset, int days)
    {
        var range = UsageRange.Resolve(preset, null, null, Today);

        Assert.Equal((Today.AddDays(1 - days), Today, days), (range.From, range.To, range.Days));
    }

    [Fact]
    public void a_custom_range_takes_its_dates_in_either_order_and_keeps_at_most_three_years()
    {
        var swapped = UsageRange.Resolve("custom", new DateOnly(2026, 3, 10), new DateOnly(2026, 3, 1), Today);
        Assert.Equal((new DateOnly(2026, 3, 1), new DateOnly(2026, 3, 10), 10, "custom"), (swapped.From, swapped.To, swapped.Days, swapped.Preset));

        var open = UsageRange.Resolve("custom", new DateOnly(2026, 11, 1), null, Today);
        Assert.Equal((new DateOnly(2026, 11, 1), Today), (open.From, open.To));

        var long_ = UsageRange.Resolve("custom", new DateOnly(2000, 1, 1), Today, Today);
        Assert.Equal((UsageRange.MaxDays, Today), (long_.Days, long_.To));
    }

    [Fact]
    public void dates_are_ignored_unless_the_range_is_custom()
    {
        var range = UsageRange.Resolve("7", new DateOnly(2020, 1, 1), new DateOnly(2020, 2, 1), Today);

        Assert.Equal(Today.AddDays(-6), range.From);
    }

    [Theory]
    [InlineData("2026-11-26", UsageGrouping.Day, "2026-11-26")]
    [InlineData("2026-11-26", UsageGrouping.Week, "2026-11-23")]
    [InlineData("2026-11-23", UsageGrouping.Week, "2026-11-23")]
    [InlineData("2026-11-29", UsageGrouping.Week, "2026-11-23")] // Sunday ends the ISO week
    [InlineData("2026-11-26", UsageGrouping.Month, "2026-11-01")]
    public void a_day_falls_in_the_bucket_starting_on_the_day_the_monday_or_the_first(string day, UsageGrouping grouping, string start) =>
        Assert.Equal(DateOnly.Parse(start, CultureInfo.InvariantCulture), UsageBuckets.StartOf(DateOnly.Parse(day, CultureInfo.InvariantCulture), grouping));

    [Fact]
    public void the_buckets_cover_the_range_from_the_bucket_of_its_first_day()
    {
        var range = new UsageRange(new DateOnly(2026, 11, 25), new DateOnly(2026, 12, 2), "custom");

        Assert.Equal(8, UsageBuckets.Covering(range, UsageGrouping.Day).Count());
        Assert.Equal([new DateOnly(2026, 11, 23), new DateOnly(2026, 11, 30)], UsageBuckets.Covering(range, UsageGrouping.Week));
        Assert.Equal([new DateOnly(2026, 11, 1), new DateOnly(2026, 12, 1)], UsageBuckets.Covering(range, UsageGrouping.Month));
    }

    [Theory]
    [InlineData("week", UsageGrouping.Week)]
    [InlineData("Month", UsageGrouping.Month)]
    [InlineData("hour", UsageGrouping.Day)]
    [InlineData("7", UsageGrouping.Day)]
    [InlineData(null, UsageGrouping.Day)]
    public void an_unknown_grouping_is_by_day(string? text, UsageGrouping expected) => Assert.Equal(expected, UsageBuckets.Parse(text));
}

public sealed class UsageReportTests
{
    internal static UsageDay Day(string owner, string day, string model, int requests, long input, long output, int failed = 0, string provider = "openai") => new()
    {
        Id = $"{owner}|{day}|{provider}|{model}", OwnerId = owner, Day = DateOnly.Parse(day, CultureInfo.InvariantCulture),
        Provider = provider, Model = model, Requests = requests, Completed = requests - failed, Failed = failed,
        InputTokens = input, OutputTokens = output, TimeToFirstTokenCount = requests - failed, TimeToFirstTokenTotalMs = 100.0 * (requests - failed),
    };

    internal static readonly Func<string, ModelPrice?> Prices = model => model switch
    {
        "gpt-4o" => new ModelPrice(2.50m, 10.00m),
        _ => null,
    };

    private static readonly UsageRange SampleRange = new(new DateOnly(2026, 11, 20), new DateOnly(2026, 11, 26), "7");

    private static readonly UsageDay[] SampleDays =
    [
        Day("ana", "2026-11-20", "gpt-4o", 3, 1_000_000, 200_000, failed: 1),
        Day("ana", "2026-11-22", "gpt-4o", 1, 500_000, 100_000),
        Day("ana", "2026-11-22", "local-llama", 2, 40, 60, provider: "ollama"),
        Day("budi", "2026-11-26", "gpt-4o", 1, 0, 1_000_000),
        Day("ana", "2026-11-19", "gpt-4o", 9, 9, 9), // the day before the range
    ];

    // names given: the instance's report, split by user as the dashboard adds it (the sums come from SQL there).
    internal static UsageReport Sample(IReadOnlyDictionary<string, string>? names = null)
    {
        var report = UsageReport.Build(SampleRange, UsageGrouping.Day, SampleDays, Prices);
        return names is null ? report : report with
        {
            Users = UsageReport.ByUser(SampleDays.Where(d => d.Day >= SampleRange.From && d.Day <= SampleRange.To).GroupBy(d => d.OwnerId)
                .Select(g => (g.Key, g.Aggregate(UsageTotals.Zero, (sum, d) => sum + UsageTotals.Of(d, Prices(d.Model))))), names),
        };
    }

    [Fact]
    public void totals_add_up_every_day_in_the_range_and_price_tokens_per_million()
    {
        var totals = Sample().Totals;

        Assert.Equal((7, 1, 1_500_040L, 1_300_060L), (totals.Requests, totals.Errors, totals.InputTokens, totals.OutputTokens));
        // 1.5 M in × $2.50 + 1.3 M out × $10; the ollama model has no price.
        Assert.Equal(3.75m + 13.00m, totals.Cost);
        Assert.Equal(2, totals.UnpricedRequests);
        Assert.Equal(100.0, totals.AverageTimeToFirstTokenMs);
    }

    [Fact]
    public void the_series_has_every_bucket_of_the_range_quiet_ones_as_zero()
    {
        var series = Sample().Series;

        Assert.Equal(7, series.Count);
        Assert.Equal([3, 0, 3, 0, 0, 0, 1], series.Select(b => b.Totals.Requests));
        Assert.Equal(Sample().Totals, series.Aggregate(UsageTotals.Zero, (a, b) => a + b.Totals));
    }

    [Fact]
    public void models_come_most_expensive_first_and_say_whether_they_have_a_price()
    {
        var models = Sample().Models;

        Assert.Equal([("openai", "gpt-4o", true, 5), ("ollama", "local-llama", false, 2)],
            models.Select(m => (m.Provider, m.Model, m.Priced, m.Totals.Requests)));
    }

    [Fact]
    public void by_user_names_each_owner_when_known_and_puts_the_most_expensive_first()
    {
        Assert.Null(Sample().Users);

        var users = Sample(new Dictionary<string, string> { ["budi"] = "Budi" }).Users!;

        // budi: 1 M output tokens of gpt-4o ($10); ana: $6.75 over more requests; ana has no name, so her id shows.
        Assert.Equal([("budi", "Budi", 1, 10.00m), ("ana", "ana", 6, 6.75m)], users.Select(u => (u.OwnerId, u.Name, u.Totals.Requests, u.Totals.Cost)));
    }
}

public sealed class UsageExportTests
{
    [Fact]
    public void the_csv_has_a_header_a_total_a_row_per_bucket_and_per_model_with_invariant_numbers()
    {
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = new CultureInfo("id-ID");
        try
        {
            var lines = UsageExport.ToCsv(UsageReportTests.Sample()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

            Assert.Equal(string.Join(',', UsageExport.CsvHeader), lines[0]);
            // The columns of chat, performance and what-if rows follow, empty here.
            var rest = new string(',', UsageExport.CsvHeader.Length - 14);
            Assert.Equal("total,2026-11-20,,,,7,6,1,0,1500040,1300060,16.75,2,100" + rest, lines[1]);
            Assert.Equal(1 + 1 + 7 + 2 + 2, lines.Length); // + one performance row per model
            Assert.StartsWith("day,2026-11-20,", lines[2]);
            Assert.Equal("model,,ollama,local-llama,,2,2,0,0,40,60,0,2,100" + rest, lines[^3]);
            Assert.StartsWith("performance,", lines[^1]);
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    [InlineData("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\"")]
    [InlineData("@sum", "'@sum")]
    [InlineData("-12.5", "-12.5")]
    public void csv_fields_are_quoted_and_formulas_defused(string value, string expected) => Assert.Equal(expected, UsageExport.Field(value));

    [Fact]
    public void the_json_holds_the_same_figures()
    {
        var report = UsageReportTests.Sample(new Dictionary<string, string>());
        using var json = JsonDocument.Parse(UsageExport.ToJson(report, new UsageLag(3, null), DateTimeOffset.UnixEpoch));
        var root = json.RootElement;

        Assert.Equal("2026-11-20", root.GetProperty("from").GetString());
        Assert.Equal("day", root.GetProperty("grouping").GetString());
        Assert.Equal(3, root.GetProperty("eventsNotYetCounted").GetInt64());
        Assert.Equal(7, root.GetProperty("totals").GetProperty("requests").GetInt32());
        Assert.Equal(16.75m, root.GetProperty("totals").GetProperty("cost").GetDecimal());
        Assert.Equal(7, root.GetProperty("series").GetArrayLength());
        Assert.Equal(2, root.GetProperty("users").GetArrayLength());
    }

    [Fact]
    public void the_file_name_says_the_range_and_grouping() =>
        Assert.Equal("sambung-usage-2026-11-20-2026-11-26-day.csv", UsageExport.FileName(UsageReportTests.Sample(), "csv"));
}

public sealed class UsageChartTests
{
    [Theory]
    [InlineData(0, 4)]
    [InlineData(3, 4)]
    [InlineData(5, 8)]
    [InlineData(9, 12)]
    [InlineData(11, 20)]
    [InlineData(21, 40)]
    [InlineData(41, 80)]
    [InlineData(100, 100)]
    [InlineData(101, 200)]
    [InlineData(1_234, 2_000)]
    [InlineData(2_100, 2_500)]
    [InlineData(2_600_000, 4_000_000)]
    public void the_scale_tops_out_at_a_round_number_four_ticks_divide(long max, long expected)
    {
        Assert.Equal(expected, UsageChart.NiceMax(max));
        Assert.Equal(0, expected % 4);
    }

    [Fact]
    public void bars_stack_output_on_input_in_proportion_to_the_scale()
    {
        var series = new[]
        {
            new UsageBucket(new DateOnly(2026, 11, 1), UsageTotals.Zero with { InputTokens = 600, OutputTokens = 200 }),
            new UsageBucket(new DateOnly(2026, 11, 2), UsageTotals.Zero),
            new UsageBucket(new DateOnly(2026, 11, 3), UsageTotals.Zero with { InputTokens = 100, OutputTokens = 100 }),
        };

        var chart = UsageChart.Layout(series, width: 400, height: 224);

        var plot = chart.PlotBottom - chart.PlotTop; // 192 units for 0..800 tokens
        Assert.Equal(800, chart.Max);
        Assert.Equal(plot * 0.75, chart.Bars[0].InputHeight, 2);
        Assert.Equal(plot * 0.25, chart.Bars[0].OutputHeight, 2);
        Assert.Equal(chart.Bars[0].InputY - chart.Bars[0].OutputHeight, chart.Bars[0].OutputY, 2);
        Assert.Equal(chart.PlotBottom, chart.Bars[0].InputY + chart.Bars[0].InputHeight, 2);
        Assert.Equal((0.0, 0.0), (chart.Bars[1].InputHeight, chart.Bars[1].OutputHeight));
        Assert.True(chart.Bars[2].X > chart.Bars[1].X && chart.Bars[1].X > chart.Bars[0].X);
        Assert.True(chart.Bars[2].X + chart.Bars[2].Width <= 400 - UsageChart.Right);
        Assert.Equal([0L, 200, 400, 600, 800], chart.Ticks.Select(t => t.Value));
        Assert.Equal(chart.PlotTop, chart.Ticks[^1].Y);
    }

    [Fact]
    public void svg_numbers_are_invariant_in_every_language()
    {
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = new CultureInfo("id-ID");
        try { Assert.Equal("12.5", UsageChart.Svg(12.5)); }
        finally { CultureInfo.CurrentCulture = previous; }
    }

    [Fact]
    public void every_grouping_has_its_words_in_both_languages()
    {
        foreach (var file in new[] { "SharedResource.resx", "SharedResource.id.resx" })
        {
            var keys = XDocument.Load(Path.Combine(Root(), "src", "Sambung.Web", "Resources", file)).Root!.Elements("data")
                .Select(d => d.Attribute("name")!.Value).ToHashSet();
            foreach (var g in Enum.GetNames<UsageGrouping>())
            {
                Assert.Contains($"Usage.Group{g}", keys);
                Assert.Contains($"Usage.By{g}", keys);
            }
        }
    }

    private static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Sambung.sln"))) return dir.FullName;
        throw new InvalidOperationException("Sambung.sln not found");
    }
}
