using Sambung.Projections.Usage;

namespace Sambung.Web.Features.Analytics;

// How a model behaved over a period: speed to the first token (p50/p95 from the summed histograms), output tokens
// per second after it, failures and fallbacks per request, and the average reply length in output tokens.
public sealed record ModelPerformance(
    string Provider, string Model, int Requests, int Completed, int Failed, int Fallbacks,
    double? TimeToFirstTokenP50Ms, double? TimeToFirstTokenP95Ms, double? TokensPerSecond, double? AverageReplyTokens,
    double? ErrorRate, double? FallbackRate, int TimedReplies)
{
    public string Key => $"{Provider}/{Model}";

    public static IReadOnlyList<ModelPerformance> Of(IEnumerable<UsageFigures> days) => days
        .GroupBy(d => (d.Provider, d.Model))
        .Select(g => Of(g.Key.Provider, g.Key.Model, g.ToList()))
        .OrderByDescending(p => p.Requests).ThenBy(p => p.Provider, StringComparer.Ordinal).ThenBy(p => p.Model, StringComparer.Ordinal)
        .ToList();

    public static ModelPerformance Of(string provider, string model, IReadOnlyList<UsageFigures> days)
    {
        var histogram = LatencyHistogram.Sum(days.Select(d => d.TimeToFirstTokenHistogram));
        var (requests, completed, failed, fallbacks) = (days.Sum(d => d.Requests), days.Sum(d => d.Completed), days.Sum(d => d.Failed), days.Sum(d => d.Fallbacks));
        var (timedTokens, generationMs) = (days.Sum(d => d.TimedOutputTokens), days.Sum(d => d.GenerationMs));
        return new ModelPerformance(provider, model, requests, completed, failed, fallbacks,
            LatencyHistogram.Percentile(histogram, 0.50), LatencyHistogram.Percentile(histogram, 0.95),
            generationMs > 0 ? timedTokens / (generationMs / 1000) : null,
            completed > 0 ? (double)days.Sum(d => d.OutputTokens) / completed : null,
            requests > 0 ? (double)failed / requests : null,
            requests > 0 ? (double)fallbacks / requests : null,
            histogram.Sum());
    }
}
