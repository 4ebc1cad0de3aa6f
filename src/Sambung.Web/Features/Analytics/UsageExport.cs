using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sambung.Web.Features.Analytics;

// The current view as files: one long CSV (a "section" column says which table a row belongs to, so one sheet
// filters into each table) and a JSON document with the same figures. Numbers are invariant; costs in USD at
// today's catalogue prices.
public static class UsageExport
{
    public static readonly string[] CsvHeader =
        ["section", "period_start", "provider", "model", "user", "requests", "completed", "errors", "stopped",
         "input_tokens", "output_tokens", "cost_usd", "unpriced_requests", "avg_ttft_ms"];

    public static string FileName(UsageReport report, string extension) =>
        $"sambung-usage-{report.Range.From:yyyy-MM-dd}-{report.Range.To:yyyy-MM-dd}-{report.Grouping.ToString().ToLowerInvariant()}.{extension}";

    public static string ToCsv(UsageReport report)
    {
        var csv = new StringBuilder();
        Line(csv, CsvHeader);
        Line(csv, Row("total", report.Range.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), "", "", "", report.Totals));
        foreach (var bucket in report.Series)
            Line(csv, Row(report.Grouping.ToString().ToLowerInvariant(), bucket.Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), "", "", "", bucket.Totals));
        foreach (var model in report.Models)
            Line(csv, Row("model", "", model.Provider, model.Model, "", model.Totals));
        foreach (var user in report.Users ?? [])
            Line(csv, Row("user", "", "", "", user.Name, user.Totals));
        return csv.ToString();
    }

    private static string[] Row(string section, string start, string provider, string model, string user, UsageTotals t) =>
        [section, start, provider, model, user, Number(t.Requests), Number(t.Completed), Number(t.Errors), Number(t.Stopped),
         Number(t.InputTokens), Number(t.OutputTokens), t.Cost.ToString("0.######", CultureInfo.InvariantCulture),
         Number(t.UnpricedRequests), t.AverageTimeToFirstTokenMs?.ToString("0.#", CultureInfo.InvariantCulture) ?? ""];

    private static string Number(long n) => n.ToString(CultureInfo.InvariantCulture);

    private static void Line(StringBuilder csv, IEnumerable<string> fields) =>
        csv.Append(string.Join(',', fields.Select(Field))).Append("\r\n");

    // RFC 4180 quoting, and a leading apostrophe for text a spreadsheet would run as a formula (a model or user
    // name is text someone typed).
    public static string Field(string value)
    {
        if (value.Length > 0 && "=+-@\t\r".Contains(value[0]) && !decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out _))
            value = "'" + value;
        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? $"\"{value.Replace("\"", "\"\"")}\"" : value;
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static string ToJson(UsageReport report, UsageLag lag, DateTimeOffset pricesAsOf) => JsonSerializer.Serialize(new
    {
        from = report.Range.From,
        to = report.Range.To,
        grouping = report.Grouping,
        currency = "USD",
        pricesAsOf,
        eventsNotYetCounted = lag.EventsBehind,
        totals = Figures(report.Totals),
        series = report.Series.Select(b => new { start = b.Start, figures = Figures(b.Totals) }),
        models = report.Models.Select(m => new { provider = m.Provider, model = m.Model, priced = m.Priced, figures = Figures(m.Totals) }),
        users = report.Users?.Select(u => new { id = u.OwnerId, name = u.Name, figures = Figures(u.Totals) }),
    }, Json);

    private static object Figures(UsageTotals t) => new
    {
        requests = t.Requests, completed = t.Completed, errors = t.Errors, stopped = t.Stopped,
        inputTokens = t.InputTokens, outputTokens = t.OutputTokens, cost = t.Cost, unpricedRequests = t.UnpricedRequests,
        averageTimeToFirstTokenMs = t.AverageTimeToFirstTokenMs,
    };
}
