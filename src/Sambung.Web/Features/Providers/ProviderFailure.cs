using System.ClientModel;
using System.Net;
using System.Net.Sockets;

namespace Sambung.Web.Features.Providers;

// A provider call that went wrong, in our words: what kind of failure, whether trying again could help, how long
// the provider asked us to wait, and the provider's own message for the person reading the bubble.
public sealed record ProviderFailure(string Kind, int? Status, TimeSpan? RetryAfter, string Detail)
{
    public const string NotConfigured = "not-configured";
    public const string Authentication = "authentication";
    public const string RateLimited = "rate-limited";
    public const string ContextTooLong = "context-too-long";
    public const string Timeout = "timeout";
    public const string Network = "network";
    public const string ContentFiltered = "content-filtered";
    public const string ProviderDown = "provider-down";
    public const string BadRequest = "bad-request";
    public const string Interrupted = Sambung.Events.Conversations.ReplyFailed.InterruptedKind;
    public const string Unknown = "unknown";

    public static readonly string[] Kinds =
        [NotConfigured, Authentication, RateLimited, ContextTooLong, Timeout, Network, ContentFiltered, ProviderDown, BadRequest, Interrupted, Unknown];

    // Worth another try, before the first token only: a busy or unreachable provider; never a request or key it refused.
    public bool IsTransient => Kind is RateLimited or Timeout or Network or ProviderDown;

    public static ProviderFailure Of(Exception e)
    {
        var (status, body, retryAfter) = e switch
        {
            ClientResultException c => (c.Status, c.GetRawResponse()?.Content?.ToString() ?? c.Message, RetryAfterOf(c)),
            Anthropic.Exceptions.AnthropicApiException a => ((int)a.StatusCode, a.ResponseBody ?? a.Message, (TimeSpan?)null),
            HttpRequestException { StatusCode: { } code } h => ((int)code, h.Message, null),
            _ => (0, e.Message, null),
        };
        var kind = status switch
        {
            401 or 403 => Authentication,
            429 => RateLimited,
            408 or 504 => Timeout,
            413 => ContextTooLong,
            >= 500 => ProviderDown,
            400 or 404 or 409 or 422 when LooksLikeContextLength(body) => ContextTooLong,
            >= 400 => BadRequest,
            _ => e switch
            {
                TimeoutException or TaskCanceledException => Timeout,
                HttpRequestException or IOException or SocketException or Anthropic.Exceptions.AnthropicIOException => Network,
                _ => Unknown,
            },
        };
        var detail = status > 0 ? $"{status}: {Trim(ExtractMessage(body))}" : Trim(e.Message);
        return new(kind, status > 0 ? status : null, retryAfter, detail);
    }

    private static bool LooksLikeContextLength(string body) =>
        body.Contains("context_length", StringComparison.OrdinalIgnoreCase)
        || body.Contains("maximum context length", StringComparison.OrdinalIgnoreCase)
        || body.Contains("prompt is too long", StringComparison.OrdinalIgnoreCase)
        || body.Contains("too many tokens", StringComparison.OrdinalIgnoreCase);

    private static TimeSpan? RetryAfterOf(ClientResultException e)
    {
        var headers = e.GetRawResponse()?.Headers;
        if (headers is null || !headers.TryGetValue("Retry-After", out var value)) return null;
        if (double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds))
            return TimeSpan.FromSeconds(seconds);
        return DateTimeOffset.TryParse(value, out var at) ? at - DateTimeOffset.UtcNow : null;
    }

    // Providers answer errors as JSON with a message somewhere inside; show that, not the whole body.
    private static string ExtractMessage(string body)
    {
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.TryGetProperty("error", out var error))
            {
                if (error.ValueKind == System.Text.Json.JsonValueKind.String) return error.GetString()!;
                if (error.TryGetProperty("message", out var message)) return message.GetString() ?? body;
            }
            if (root.TryGetProperty("message", out var m)) return m.GetString() ?? body;
        }
        catch (System.Text.Json.JsonException) { }
        return body;
    }

    private static string Trim(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
