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
         "input_tokens", "output_tokens", "cost_usd", "unpriced_requests", "avg_ttft_ms",
         // by chat, model performance and what-if rows fill these (the rows above leave them empty)
         "chat_id", "chat_title", "ttft_p50_ms", "ttft_p95_ms", "output_tokens_per_second", "avg_reply_tokens", "error_rate",
         "fallbacks", "fallback_rate"];

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
        foreach (var chat in report.Chats?.Rows ?? [])
            Line(csv, Named(new()
            {
                ["section"] = "chat", ["requests"] = Number(chat.Requests), ["errors"] = Number(chat.Failed),
                ["input_tokens"] = Number(chat.InputTokens), ["output_tokens"] = Number(chat.OutputTokens), ["cost_usd"] = Money(chat.Cost),
                ["unpriced_requests"] = Number(chat.UnpricedRequests), ["chat_id"] = chat.ConversationId.ToString(),
                ["chat_title"] = chat.Title ?? "(deleted)",
            }));
        foreach (var p in report.Performance) Line(csv, PerformanceRow(p));
        if (report.WhatIf is { } w)
            Line(csv, Named(new()
            {
                ["section"] = "whatif", ["model"] = w.Model, ["input_tokens"] = Number(w.InputTokens), ["output_tokens"] = Number(w.OutputTokens),
                ["cost_usd"] = w.Cost is { } c ? Money(c) : "",
            }));
        return csv.ToString();
    }

    public static string[] PerformanceRow(ModelPerformance p) => Named(new()
    {
        ["section"] = "performance", ["provider"] = p.Provider, ["model"] = p.Model, ["requests"] = Number(p.Requests),
        ["completed"] = Number(p.Completed), ["errors"] = Number(p.Failed), ["ttft_p50_ms"] = Decimal(p.TimeToFirstTokenP50Ms),
        ["ttft_p95_ms"] = Decimal(p.TimeToFirstTokenP95Ms), ["output_tokens_per_second"] = Decimal(p.TokensPerSecond),
        ["avg_reply_tokens"] = Decimal(p.AverageReplyTokens), ["error_rate"] = Ratio(p.ErrorRate), ["fallbacks"] = Number(p.Fallbacks),
        ["fallback_rate"] = Ratio(p.FallbackRate),
    });

    // A row from named fields, the others empty.
    private static string[] Named(Dictionary<string, string> fields) => CsvHeader.Select(h => fields.GetValueOrDefault(h, "")).ToArray();

    private static string Money(decimal d) => d.ToString("0.######", CultureInfo.InvariantCulture);
    private static string Decimal(double? d) => d?.ToString("0.#", CultureInfo.InvariantCulture) ?? "";
    private static string Ratio(double? d) => d?.ToString("0.####", CultureInfo.InvariantCulture) ?? "";

    public static object PerformanceJson(ModelPerformance p) => new
    {
        provider = p.Provider, model = p.Model, requests = p.Requests, completed = p.Completed, errors = p.Failed, fallbacks = p.Fallbacks,
        timeToFirstTokenP50Ms = p.TimeToFirstTokenP50Ms, timeToFirstTokenP95Ms = p.TimeToFirstTokenP95Ms,
        outputTokensPerSecond = p.TokensPerSecond, averageReplyTokens = p.AverageReplyTokens, errorRate = p.ErrorRate,
        fallbackRate = p.FallbackRate, timedReplies = p.TimedReplies,
    };

    private static string[] Row(string section, string start, string provider, string model, string user, UsageTotals t) => Named(new()
    {
        ["section"] = section, ["period_start"] = start, ["provider"] = provider, ["model"] = model, ["user"] = user,
        ["requests"] = Number(t.Requests), ["completed"] = Number(t.Completed), ["errors"] = Number(t.Errors), ["stopped"] = Number(t.Stopped),
        ["input_tokens"] = Number(t.InputTokens), ["output_tokens"] = Number(t.OutputTokens), ["cost_usd"] = Money(t.Cost),
        ["unpriced_requests"] = Number(t.UnpricedRequests), ["avg_ttft_ms"] = Decimal(t.AverageTimeToFirstTokenMs),
    });

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

    public static string ToJson(UsageReport report, UsageLag lag, DateTimeOffset pricesAsOf, BudgetStatus? budget = null) => JsonSerializer.Serialize(new
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
        chats = report.Chats?.Rows.Select(c => new
        {
            id = c.ConversationId, title = c.Title, deleted = c.Deleted, requests = c.Requests, errors = c.Failed,
            inputTokens = c.InputTokens, outputTokens = c.OutputTokens, cost = c.Cost, unpricedRequests = c.UnpricedRequests,
        }),
        performance = report.Performance.Select(PerformanceJson),
        whatIf = report.WhatIf is { } w ? new { model = w.Model, cost = w.Cost, actualCost = w.ActualCost, inputTokens = w.InputTokens, outputTokens = w.OutputTokens } : null,
        budget = budget is null ? null : new
        {
            level = budget.Level, tokens = budget.Budget?.Tokens, cost = budget.Budget?.Cost, tokensUsed = budget.TokensUsed,
            costUsed = budget.CostUsed, tokensLeft = budget.TokensLeft, costLeft = budget.CostLeft,
        },
    }, Json);

    public static string Serialize(object value) => JsonSerializer.Serialize(value, Json);

    private static object Figures(UsageTotals t) => new
    {
        requests = t.Requests, completed = t.Completed, errors = t.Errors, stopped = t.Stopped,
        inputTokens = t.InputTokens, outputTokens = t.OutputTokens, cost = t.Cost, unpricedRequests = t.UnpricedRequests,
        averageTimeToFirstTokenMs = t.AverageTimeToFirstTokenMs,
    };
}
