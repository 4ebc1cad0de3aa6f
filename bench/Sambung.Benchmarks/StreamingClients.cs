using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Sambung.Web.Features.Chats;
using Sambung.Web.Features.Rendering;
using Sambung.Web.Features.Streaming;

namespace Sambung.Benchmarks;

// One request and its stream, timed from the moment the request was started: the first piece of reply text (the
// time to first token as the reader sees it) and, through Sambung, when the POST was answered and when the SSE
// stream's snapshot arrived. Error is null when everything arrived as expected.
public sealed record StreamAttempt(Guid ReplyId, TimeSpan? FirstText, TimeSpan? Answered, TimeSpan? Snapshot, string? Error)
{
    public static StreamAttempt Failed(Guid replyId, string error) => new(replyId, null, null, null, error);
}

// A signed-in browser without the browser: cookies, the antiforgery token of the page the forms are on, the htmx
// header on the post (so the answer is the fragment htmx swaps in), then the SSE stream the fragment is wired to.
public sealed partial class SambungClient : IDisposable
{
    private readonly HttpClient http;
    private readonly CookieContainer cookies = new();
    private string token = "";

    private SambungClient(string baseUrl)
    {
        // One pool of connections for every simulated tab, as many connections as requests in flight: a browser
        // opens one SSE connection per streaming reply.
        http = new HttpClient(new SocketsHttpHandler
        {
            CookieContainer = cookies,
            UseCookies = true,
            AllowAutoRedirect = false,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            MaxConnectionsPerServer = int.MaxValue,
        })
        {
            BaseAddress = new Uri(baseUrl),
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    // Registers a new account (the first of the instance, so approved at once), which signs it in.
    public static async Task<SambungClient> RegisterAsync(string baseUrl, string email)
    {
        var client = new SambungClient(baseUrl);
        try
        {
            var form = Token(await client.PageAsync("/account/register"));
            using var registered = await client.PostFormAsync("/account/register", form, htmx: false, CancellationToken.None,
                ("DisplayName", "Bench"), ("Email", email), ("Password", "correct horse battery staple"));
            if (registered.StatusCode != HttpStatusCode.Redirect)
                throw new BenchSetupException($"Registering the bench user answered {(int)registered.StatusCode}: {Excerpt(await registered.Content.ReadAsStringAsync())}");
            // Antiforgery tokens belong to the signed-in user, not to one form: the new-chat page's serves every post.
            client.token = Token(await client.PageAsync("/"));
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    // The signed-in session (the authentication cookie and the antiforgery cookie), for a browser to carry on with.
    public IReadOnlyList<Cookie> Cookies => [.. cookies.GetAllCookies().Cast<Cookie>()];

    // A page or, with htmx, the fragment htmx would swap in, read to its end; fails unless it answered 200.
    public async Task<string> GetAsync(string url, bool htmx = false, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (htmx) request.Headers.Add("HX-Request", "true");
        using var response = await http.SendAsync(request, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (response.StatusCode != HttpStatusCode.OK)
            throw new BenchSetupException($"GET {url} answered {(int)response.StatusCode}: {Excerpt(body)}");
        return body;
    }

    // The new-chat form on "/": starts the conversation (its first reply starts too) and redirects to it. The reply
    // is read to its end, so that the conversation is ready for the next message.
    public async Task<StreamAttempt> StartConversationAsync(Guid conversationId, string text, CancellationToken ct)
    {
        var replyId = Guid.CreateVersion7();
        var start = Stopwatch.GetTimestamp();
        using (var started = await PostFormAsync("/?handler=Start", token, htmx: false, ct,
                   ("ConversationId", conversationId.ToString()), ("MessageId", Guid.CreateVersion7().ToString()), ("ReplyId", replyId.ToString()), ("Text", text)))
        {
            if (started.StatusCode != HttpStatusCode.Redirect)
                return StreamAttempt.Failed(replyId, $"starting a chat answered {(int)started.StatusCode}");
        }
        return await ReadEventsAsync(conversationId, replyId, start, Stopwatch.GetElapsedTime(start), expected: null, ct);
    }

    // What the composer does: post the message into an existing chat (where htmx posts it), then (on swapping the answer in) open
    // the reply's event stream and read it to "done".
    public async Task<StreamAttempt> PostAndStreamAsync(Guid conversationId, string text, string expected, CancellationToken ct)
    {
        var replyId = Guid.CreateVersion7();
        var start = Stopwatch.GetTimestamp();
        using (var posted = await PostFormAsync(SendEndpoint.UrlFor(conversationId), token, htmx: true, ct,
                   ("MessageId", Guid.CreateVersion7().ToString()), ("ReplyId", replyId.ToString()), ("Text", text)))
        {
            var body = await posted.Content.ReadAsStringAsync(ct);
            if (!posted.IsSuccessStatusCode) return StreamAttempt.Failed(replyId, $"POST answered {(int)posted.StatusCode}");
            if (!body.Contains(ReplyEventsEndpoint.UrlFor(conversationId, replyId), StringComparison.Ordinal))
                return StreamAttempt.Failed(replyId, "the answer to the POST did not wire the reply's event stream");
        }
        return await ReadEventsAsync(conversationId, replyId, start, Stopwatch.GetElapsedTime(start), expected, ct);
    }

    // The reply's Server-Sent Events: snapshot, text (unnamed) events, maybe block events, final, done. The first
    // event that carries reply text is the first token on screen. expected: the whole reply; what was streamed as
    // text (the snapshot's tail plus the text events) must add up to it.
    private async Task<StreamAttempt> ReadEventsAsync(Guid conversationId, Guid replyId, long start, TimeSpan answered, string? expected, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, ReplyEventsEndpoint.UrlFor(conversationId, replyId));
        request.Headers.Accept.Add(new("text/event-stream"));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if (!response.IsSuccessStatusCode) return StreamAttempt.Failed(replyId, $"the event stream answered {(int)response.StatusCode}");
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct), Encoding.UTF8);

        var tailStart = $"<span id=\"{StreamedReply.TailId(replyId)}\" hx-swap-oob=\"innerHTML\">";
        TimeSpan? firstText = null, snapshot = null;
        var text = new StringBuilder();
        var comparable = true; // block events re-send text as HTML: the text then cannot be added up
        bool sawFinal = false, sawDone = false;
        string? name = null;
        var data = new StringBuilder();
        var hasData = false;
        while (!sawDone && await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length > 0)
            {
                if (line[0] == ':') continue;
                var colon = line.IndexOf(':');
                var field = colon < 0 ? line : line[..colon];
                var value = colon < 0 ? "" : line[(colon + 1)..];
                if (value.StartsWith(' ')) value = value[1..];
                if (field == "event") name = value;
                else if (field == "data")
                {
                    if (hasData) data.Append('\n');
                    data.Append(value);
                    hasData = true;
                }
                continue;
            }

            // A blank line dispatches the event.
            var now = Stopwatch.GetElapsedTime(start);
            var payload = data.ToString();
            switch (name)
            {
                case StreamedReply.SnapshotEvent:
                    snapshot ??= now;
                    var at = payload.IndexOf(tailStart, StringComparison.Ordinal);
                    var end = payload.LastIndexOf("</span>", StringComparison.Ordinal);
                    if (at < 0 || end < at) return StreamAttempt.Failed(replyId, "a snapshot without the reply's tail");
                    var tail = WebUtility.HtmlDecode(payload[(at + tailStart.Length)..end]);
                    if (at > 0) comparable = false;
                    if (at > 0 || tail.Length > 0) firstText ??= now;
                    text.Append(tail);
                    break;
                case null or StreamedReply.TextEvent:
                    if (payload.Length > 0) firstText ??= now;
                    text.Append(WebUtility.HtmlDecode(payload));
                    break;
                case StreamedReply.BlockEvent:
                    firstText ??= now;
                    comparable = false;
                    break;
                case "final":
                    sawFinal = true;
                    break;
                case "done":
                    sawDone = true;
                    break;
            }
            name = null;
            data.Clear();
            hasData = false;
        }

        string? error = null;
        if (!sawDone) error = "the event stream ended without done";
        else if (!sawFinal) error = "the event stream had no final event";
        else if (expected is not null && firstText is null) error = "no reply text was streamed";
        else if (expected is not null && comparable && text.ToString() != expected)
            error = "the streamed text differs from the reply";
        return new(replyId, firstText, answered, snapshot, error);
    }

    private async Task<string> PageAsync(string url)
    {
        using var response = await http.GetAsync(url);
        var page = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new BenchSetupException($"GET {url} answered {(int)response.StatusCode}: {Excerpt(page)}");
        return page;
    }

    private async Task<HttpResponseMessage> PostFormAsync(string url, string formToken, bool htmx, CancellationToken ct, params (string Name, string Value)[] fields)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new FormUrlEncodedContent([.. fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)), new("__RequestVerificationToken", formToken)]),
        };
        if (htmx) request.Headers.Add("HX-Request", "true");
        try
        {
            return await http.SendAsync(request, ct);
        }
        finally
        {
            request.Dispose();
        }
    }

    private static string Token(string page) =>
        WebUtility.HtmlDecode(TokenPattern().Match(page) is { Success: true } m ? m.Groups[1].Value : throw new BenchSetupException("No antiforgery token on the page."));

    private static string Excerpt(string text) => text.Length <= 300 ? text : text[..300] + "…";

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    public void Dispose() => http.Dispose();
}

// The baseline: the fake provider's OpenAI chat completions called directly, streamed, from the same process and
// with the same kind of connection pool as the app's provider client.
public sealed class DirectClient(string openAiBaseUrl) : IDisposable
{
    private readonly HttpClient http = new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        MaxConnectionsPerServer = int.MaxValue,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public async Task<StreamAttempt> CompleteAsync(string prompt, string expected, CancellationToken ct)
    {
        var start = Stopwatch.GetTimestamp();
        var body = JsonSerializer.Serialize(new
        {
            model = "fake-gpt",
            messages = new[] { new { role = "user", content = prompt } },
            stream = true,
            stream_options = new { include_usage = true },
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, openAiBaseUrl + "/chat/completions")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", "bench-key");
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if (!response.IsSuccessStatusCode) return StreamAttempt.Failed(Guid.Empty, $"the provider answered {(int)response.StatusCode}");
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct), Encoding.UTF8);
        TimeSpan? firstText = null;
        var text = new StringBuilder();
        var done = false;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal)) continue;
            if (line == "data: [DONE]")
            {
                done = true;
                break;
            }
            using var chunk = JsonDocument.Parse(line[6..]);
            if (chunk.RootElement.GetProperty("choices") is { ValueKind: JsonValueKind.Array } choices && choices.GetArrayLength() > 0
                && choices[0].GetProperty("delta").TryGetProperty("content", out var content) && content.GetString() is { Length: > 0 } piece)
            {
                firstText ??= Stopwatch.GetElapsedTime(start);
                text.Append(piece);
            }
        }
        string? error = null;
        if (!done) error = "the provider's stream ended without [DONE]";
        else if (text.ToString() != expected) error = "the streamed text differs from the reply";
        return new(Guid.Empty, firstText, null, null, error);
    }

    public void Dispose() => http.Dispose();
}
