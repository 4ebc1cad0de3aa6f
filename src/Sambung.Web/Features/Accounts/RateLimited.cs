using System.Net;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace Sambung.Web.Features.Accounts;

public sealed record RateLimitOptions(int SignInsPerMinute, int MessagesPerHour);

// Limits on what attackers and runaway scripts repeat: sign-in attempts per address, messages per user. Checked by
// the handlers that post (not the pages that show the forms), answered with 429 and Retry-After.
public sealed class RequestLimits(RateLimitOptions options) : IDisposable
{
    private readonly PartitionedRateLimiter<string> signIns = PartitionedRateLimiter.Create<string, string>(key =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
            { PermitLimit = options.SignInsPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));

    private readonly PartitionedRateLimiter<string> messages = PartitionedRateLimiter.Create<string, string>(key =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
            { PermitLimit = options.MessagesPerHour, Window = TimeSpan.FromHours(1), QueueLimit = 0 }));

    public TimeSpan? SignIn(HttpContext http) => Acquire(signIns, http.Connection.RemoteIpAddress?.ToString() ?? "unknown");

    public TimeSpan? Message(HttpContext http) =>
        Acquire(messages, http.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? http.Connection.RemoteIpAddress?.ToString() ?? "unknown");

    // Null when allowed; otherwise how long to wait.
    private static TimeSpan? Acquire(PartitionedRateLimiter<string> limiter, string key)
    {
        using var lease = limiter.AttemptAcquire(key);
        if (lease.IsAcquired) return null;
        return lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
    }

    public void Dispose()
    {
        signIns.Dispose();
        messages.Dispose();
    }
}

// A limit was hit: 429 with Retry-After, and something a person can read (a page, or a fragment for htmx).
public static class RateLimited
{
    public static IActionResult Response(HttpContext http, TimeSpan retryAfter)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString();
        var text = http.RequestServices.GetRequiredService<IStringLocalizer<SharedResource>>();
        string wait = text["RateLimited.Text", Math.Max(1, (seconds + 59) / 60)];
        if (http.Request.IsHtmx()) return Features.Chats.ComposerAnswers.Error(http, wait, StatusCodes.Status429TooManyRequests);
        var message = WebUtility.HtmlEncode(wait);
        var title = WebUtility.HtmlEncode(text["RateLimited.Title"]);
        return new ContentResult
        {
            StatusCode = StatusCodes.Status429TooManyRequests, ContentType = "text/html; charset=utf-8",
            Content = $"<!DOCTYPE html><html lang=\"{System.Globalization.CultureInfo.CurrentUICulture.TwoLetterISOLanguageName}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title><link rel=\"stylesheet\" href=\"/css/site.css\"></head>" +
                $"<body><main class=\"page\"><h1>{title}</h1><p>{message}</p><p><a href=\"/\">{WebUtility.HtmlEncode(text["Error.Home"])}</a></p></main></body></html>",
        };
    }
}
