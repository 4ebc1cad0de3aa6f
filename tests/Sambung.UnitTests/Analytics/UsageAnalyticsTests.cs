using System.Globalization;
using Sambung.Events;
using Sambung.Events.Pricing;
using Sambung.Projections.Usage;
using Sambung.Web.Features.Analytics;

namespace Sambung.UnitTests.Analytics;

public sealed class LatencyHistogramTests
{
    [Fact]
    public void percentiles_from_the_histogram_stay_within_a_bucket_of_the_exact_ones()
    {
        var random = new Random(11);
        // Log-normal times to first token around 400 ms, as providers give them, and a slow tail.
        var samples = Enumerable.Range(0, 5_000).Select(_ => Math.Exp(6 + 0.8 * Normal(random))).ToList();
        var histogram = samples.Aggregate((int[]?)null, LatencyHistogram.Add);
        var sorted = samples.Order().ToList();

        foreach (var p in new[] { 0.5, 0.95, 0.99 })
        {
            var exact = sorted[(int)Math.Ceiling(p * sorted.Count) - 1];
            var estimate = LatencyHistogram.Percentile(histogram, p)!.Value;
            Assert.InRange(estimate / exact, 1 / LatencyHistogram.Ratio, LatencyHistogram.Ratio);
        }
    }

    [Fact]
    public void an_empty_histogram_has_no_percentile_and_one_value_lands_in_its_own_bucket()
    {
        Assert.Null(LatencyHistogram.Percentile(null, 0.5));
        Assert.Null(LatencyHistogram.Percentile(new int[LatencyHistogram.Count], 0.5));

        var one = LatencyHistogram.Add(null, 250);
        var (lower, upper) = LatencyHistogram.Bounds(LatencyHistogram.BucketOf(250));
        Assert.InRange(250, lower, upper);
        Assert.InRange(LatencyHistogram.Percentile(one, 0.5)!.Value, lower, upper);
        Assert.Equal(LatencyHistogram.Percentile(one, 0.5), LatencyHistogram.Percentile(one, 0.95));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(9.99, 0)]
    [InlineData(10, 1)]
    [InlineData(12.4, 1)]
    [InlineData(12.5, 2)]
    [InlineData(10_000_000, LatencyHistogram.Count - 1)]
    public void buckets_grow_by_a_quarter(double ms, int bucket) => Assert.Equal(bucket, LatencyHistogram.BucketOf(ms));

    [Fact]
    public void histograms_add_up_bucket_by_bucket()
    {
        var a = LatencyHistogram.Add(LatencyHistogram.Add(null, 100), 2_000);
        var b = LatencyHistogram.Add(null, 100);

        var sum = LatencyHistogram.Sum([a, null, b]);

        Assert.Equal(3, sum.Sum());
        Assert.Equal(2, sum[LatencyHistogram.BucketOf(100)]);
        Assert.Equal(1, a[LatencyHistogram.BucketOf(100)]); // the inputs are not changed
    }

    private static double Normal(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());
}

public sealed class PriceBookTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private static DateOnly D(string s) => DateOnly.Parse(s, CultureInfo.InvariantCulture);
    private static ModelPriceSet Set(string model, decimal input, decimal output, string from) => new(model, input, output, D(from), "admin", Now);

    private static readonly Dictionary<string, ModelPrice> Catalogue = new() { ["gpt-4o"] = new(2.50m, 10m) };

    [Fact]
    public void the_price_in_effect_is_the_latest_dated_one_up_to_that_day_and_the_catalogue_before_any()
    {
        var book = new PriceBook([Set("gpt-4o", 5m, 15m, "2026-11-10"), Set("gpt-4o", 1m, 2m, "2026-11-20")], Catalogue);

        Assert.Equal(new ModelPrice(2.50m, 10m), book.PriceOn("gpt-4o", D("2026-11-09")));
        Assert.Equal(new ModelPrice(5m, 15m), book.PriceOn("gpt-4o", D("2026-11-10")));
        Assert.Equal(new ModelPrice(5m, 15m), book.PriceOn("gpt-4o", D("2026-11-19")));
        Assert.Equal(new ModelPrice(1m, 2m), book.PriceOn("gpt-4o", D("2026-11-20")));
        Assert.Equal(new ModelPrice(1m, 2m), book.PriceOn("gpt-4o", D("2030-01-01")));
        Assert.Equal(3, book.PeriodsOf("gpt-4o").Count);
    }

    [Fact]
    public void a_price_set_again_for_the_same_day_replaces_the_earlier_one_and_order_of_setting_does_not_matter_otherwise()
    {
        // The later-dated price was set first: effective dates order the periods, not the order of setting.
        var book = new PriceBook([Set("m", 1m, 1m, "2026-11-20"), Set("m", 3m, 3m, "2026-11-01"), Set("m", 4m, 4m, "2026-11-01")], new Dictionary<string, ModelPrice>());

        Assert.Null(book.PriceOn("m", D("2026-10-31"))); // no catalogue price before the first dated one
        Assert.Equal(new ModelPrice(4m, 4m), book.PriceOn("m", D("2026-11-05")));
        Assert.Equal(new ModelPrice(1m, 1m), book.PriceOn("m", D("2026-11-20")));
        Assert.Null(book.PriceOn("unknown", D("2026-11-20")));
    }

    [Fact]
    public void setting_a_price_validates_it_and_repeating_it_changes_nothing()
    {
        var cmd = new SetModelPrice(" gpt-4o ", 3m, 12m, D("2026-11-01"), "admin");

        var decision = PriceList.Decide(cmd, [], Now);

        Assert.Equal(new ModelPriceSet("gpt-4o", 3m, 12m, D("2026-11-01"), "admin", Now), Assert.Single(decision.Events));
        Assert.True(PriceList.Decide(cmd, [(ModelPriceSet)decision.Events[0]], Now).IsNoChange);
        Assert.False(PriceList.Decide(cmd with { OutputPerMillion = 13m }, [(ModelPriceSet)decision.Events[0]], Now).IsNoChange);
        Assert.Equal(PriceList.InvalidPrice, PriceList.Decide(cmd with { Model = " " }, [], Now).Refusal);
        Assert.Equal(PriceList.InvalidPrice, PriceList.Decide(cmd with { InputPerMillion = -1m }, [], Now).Refusal);
        Assert.Equal(PriceList.InvalidPrice, PriceList.Decide(cmd with { OutputPerMillion = 100_001m }, [], Now).Refusal);
    }

    [Fact]
    public void what_if_prices_the_periods_tokens_at_the_other_models_price_of_each_day()
    {
        var book = new PriceBook([Set("cheap", 1m, 2m, "2026-11-01"), Set("cheap", 10m, 20m, "2026-11-21")], Catalogue);
        var days = new[]
        {
            UsageReportTests.Day("ana", "2026-11-20", "gpt-4o", 1, 1_000_000, 1_000_000),
            UsageReportTests.Day("ana", "2026-11-22", "gpt-4o", 1, 500_000, 0),
            UsageReportTests.Day("ana", "2026-11-23", "gpt-4o", 1, 0, 0), // no tokens: needs no price
        };
        var range = new UsageRange(D("2026-11-20"), D("2026-11-26"), "7");

        var report = UsageReport.Build(range, UsageGrouping.Day, days, book.PriceOn, whatIf: "cheap");

        // 1 M in × $1 + 1 M out × $2 on the 20th, 0.5 M in × $10 on the 22nd.
        Assert.Equal(new UsageWhatIf("cheap", 3m + 5m, 2.5m + 10m + 1.25m, 1_500_000, 1_000_000), report.WhatIf);
        Assert.Null(UsageReport.Build(range with { From = D("2026-10-01") },
            UsageGrouping.Day, [.. days, UsageReportTests.Day("ana", "2026-10-15", "gpt-4o", 1, 10, 10)], book.PriceOn, whatIf: "cheap").WhatIf!.Cost);
        Assert.Null(UsageReport.Build(range, UsageGrouping.Day, days, book.PriceOn).WhatIf);
    }
}

public sealed class BudgetTests
{
    [Theory]
    [InlineData(0L, BudgetLevel.Within)]
    [InlineData(799L, BudgetLevel.Within)]
    [InlineData(800L, BudgetLevel.Warning)]
    [InlineData(999L, BudgetLevel.Warning)]
    [InlineData(1_000L, BudgetLevel.Exhausted)]
    [InlineData(5_000L, BudgetLevel.Exhausted)]
    public void a_token_budget_warns_at_80_percent_and_refuses_at_100(long used, BudgetLevel level)
    {
        var status = BudgetStatus.Decide(new Budget(1_000, null), used, 0m, isAdmin: false);

        Assert.Equal(level, status.Level);
        Assert.Equal(level == BudgetLevel.Exhausted, status.Refuses);
        Assert.Equal(Math.Max(0, 1_000 - used), status.TokensLeft);
    }

    [Fact]
    public void whichever_limit_runs_out_first_counts()
    {
        var budget = new Budget(1_000_000, 10m);

        Assert.Equal(BudgetLevel.Exhausted, BudgetStatus.Decide(budget, 10, 10m, false).Level);
        Assert.Equal(BudgetLevel.Warning, BudgetStatus.Decide(budget, 850_000, 1m, false).Level);
        Assert.Equal(8.5m, BudgetStatus.Decide(budget, 0, 1.5m, false).CostLeft);
        Assert.Equal(BudgetLevel.Exhausted, BudgetStatus.Decide(new Budget(0, null), 0, 0m, false).Level); // a zero budget allows nothing
    }

    [Fact]
    public void admins_are_never_refused_and_no_budget_means_no_limit()
    {
        Assert.Equal(BudgetLevel.Exempt, BudgetStatus.Decide(new Budget(10, 1m), 1_000, 100m, isAdmin: true).Level);
        Assert.False(BudgetStatus.Decide(new Budget(10, 1m), 1_000, 100m, isAdmin: true).Refuses);
        Assert.Equal(BudgetLevel.Unlimited, BudgetStatus.Decide(null, 1_000, 100m, false).Level);
        Assert.Equal(BudgetLevel.Unlimited, BudgetStatus.Decide(new Budget(null, null), 1_000, 100m, false).Level);
    }

    [Fact]
    public void a_users_own_budget_replaces_the_default()
    {
        var settings = new BudgetSettings { Default = new Budget(100, null), Users = { ["ana"] = new Budget(null, 5m) } };

        Assert.Equal(new Budget(null, 5m), settings.For("ana"));
        Assert.Equal(new Budget(100, null), settings.For("budi"));
    }
}

public sealed class ModelPerformanceTests
{
    [Fact]
    public void performance_sums_a_models_days_into_rates_speeds_and_percentiles()
    {
        var day = UsageReportTests.Day("ana", "2026-11-20", "gpt-4o", 4, 100, 1_000, failed: 1) with
        {
            Fallbacks = 1, TimedOutputTokens = 900, GenerationMs = 3_000,
            TimeToFirstTokenHistogram = new[] { 100.0, 200, 300 }.Aggregate((int[]?)null, LatencyHistogram.Add),
        };
        var other = UsageReportTests.Day("ana", "2026-11-21", "gpt-4o", 4, 100, 500) with { TimedOutputTokens = 300, GenerationMs = 1_000 };

        var p = Assert.Single(ModelPerformance.Of([day, other]));

        Assert.Equal(("openai/gpt-4o", 8, 1, 1), (p.Key, p.Requests, p.Failed, p.Fallbacks));
        Assert.Equal(1.0 / 8, p.ErrorRate);
        Assert.Equal(1.0 / 8, p.FallbackRate);
        Assert.Equal(1_200 / 4.0, p.TokensPerSecond);
        Assert.Equal(1_500 / 7.0, p.AverageReplyTokens);
        Assert.InRange(p.TimeToFirstTokenP50Ms!.Value, 200 / LatencyHistogram.Ratio, 200 * LatencyHistogram.Ratio);
        Assert.InRange(p.TimeToFirstTokenP95Ms!.Value, 300 / LatencyHistogram.Ratio, 300 * LatencyHistogram.Ratio);
    }

    [Fact]
    public void the_csv_has_rows_for_performance_and_what_if_with_every_column()
    {
        var report = UsageReport.Build(new UsageRange(new DateOnly(2026, 11, 20), new DateOnly(2026, 11, 26), "7"), UsageGrouping.Day,
            [UsageReportTests.Day("ana", "2026-11-20", "gpt-4o", 2, 1_000, 2_000, failed: 1)], (m, _) => UsageReportTests.Prices(m), whatIf: "gpt-4o");

        var lines = UsageExport.ToCsv(report).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.All(lines, l => Assert.Equal(UsageExport.CsvHeader.Length, l.Split(',').Length));
        var perf = lines.Single(l => l.StartsWith("performance,")).Split(',');
        Assert.Equal(("gpt-4o", "0.5"), (perf[Array.IndexOf(UsageExport.CsvHeader, "model")], perf[Array.IndexOf(UsageExport.CsvHeader, "error_rate")]));
        var whatIf = lines.Single(l => l.StartsWith("whatif,")).Split(',');
        Assert.Equal("0.0225", whatIf[Array.IndexOf(UsageExport.CsvHeader, "cost_usd")]);
    }
}

public sealed class RequestsChartTests
{
    [Fact]
    public void the_requests_chart_stacks_errors_on_the_requests_that_did_not_fail()
    {
        var ok = new UsageTotals(8, 6, 2, 0, 0, 0, 0m, 0, 0, 0);
        var chart = UsageChart.Requests([new UsageBucket(new DateOnly(2026, 11, 20), ok), new UsageBucket(new DateOnly(2026, 11, 21), UsageTotals.Zero)]);

        Assert.Equal(8, chart.Max);
        var bar = chart.Bars[0];
        Assert.Equal(3.0, bar.InputHeight / bar.OutputHeight, 6); // 6 without an error, 2 errors
        Assert.Equal(chart.PlotBottom - chart.PlotTop, bar.InputHeight + bar.OutputHeight, 1);
        Assert.Equal((0.0, 0.0), (chart.Bars[1].InputHeight, chart.Bars[1].OutputHeight));
    }
}

public sealed class CostChartTests
{
    [Fact]
    public void the_cost_chart_draws_each_periods_cost_on_a_dollar_scale_its_ticks_read_as_money()
    {
        UsageTotals Costing(decimal usd) => UsageTotals.Zero with { Cost = usd };
        var chart = UsageChart.Cost([new UsageBucket(new DateOnly(2026, 11, 20), Costing(0.0375m)), new UsageBucket(new DateOnly(2026, 11, 21), Costing(0.015m))]);

        Assert.Equal(40_000, chart.Max); // $0.04 in millionths of a dollar: the nice maximum above $0.0375
        Assert.Equal(2.5, chart.Bars[0].InputHeight / chart.Bars[1].InputHeight, 6);
        Assert.Equal((0.0, 0.0), (chart.Bars[0].OutputHeight, chart.Bars[1].OutputHeight));
        Assert.Equal(UsageFormat.Cost(0.04m), UsageChartView.Cost(chart.Ticks[^1].Value));
    }
}
