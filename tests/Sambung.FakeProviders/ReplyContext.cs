using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Sambung.FakeProviders;

/// <summary>Everything a protocol handler needs to play one <see cref="FakeReply"/> to one request.</summary>
internal sealed class ReplyContext
{
    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        // Real providers emit raw UTF-8 text; keep non-ASCII characters readable instead of \uXXXX escapes.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
    };

    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    public ReplyContext(HttpContext http, FakeReply reply, JsonObject request, string defaultModel, CancellationToken token)
    {
        Http = http;
        Reply = reply;
        Request = request;
        Token = token;
        Chunks = reply.EffectiveChunks();
        Text = reply.EffectiveText();
        Model = reply.Model ?? (request["model"] is JsonValue m && m.TryGetValue<string>(out var s) && s.Length > 0 ? s : defaultModel);
        InputTokens = reply.InputTokens ?? EstimateInputTokens(request);
        OutputTokens = reply.OutputTokens ?? Chunks.Count;
        Created = DateTimeOffset.UtcNow;
        Stopwatch = Stopwatch.StartNew();
    }

    public HttpContext Http { get; }
    public FakeReply Reply { get; }
    public JsonObject Request { get; }
    public CancellationToken Token { get; }
    public IReadOnlyList<string> Chunks { get; }
    public string Text { get; }
    public string Model { get; }
    public int InputTokens { get; }
    public int OutputTokens { get; }
    public DateTimeOffset Created { get; }
    public long CreatedUnix => Created.ToUnixTimeSeconds();
    public Stopwatch Stopwatch { get; }

    /// <summary>Reads a boolean request field ("stream"), with a default when absent or not a boolean.</summary>
    public bool RequestFlag(string name, bool whenAbsent) =>
        Request[name] is JsonValue v && v.TryGetValue<bool>(out var b) ? b : whenAbsent;

    public static string Serialize(JsonNode node) => node.ToJsonString(JsonOptions);

    /// <summary>Starts a streamed response: status 200, content type, no buffering, headers flushed now.</summary>
    public async Task StartStreamAsync(string contentType)
    {
        var response = Http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = contentType;
        response.Headers.CacheControl = "no-cache";
        Http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await response.StartAsync(Token);
        await response.Body.FlushAsync(Token);
    }

    /// <summary>Writes raw text and flushes it to the client immediately.</summary>
    public async Task WriteAndFlushAsync(string text)
    {
        Token.ThrowIfCancellationRequested();
        var bytes = Utf8.GetBytes(text);
        await Http.Response.Body.WriteAsync(bytes, Token);
        await Http.Response.Body.FlushAsync(Token);
    }

    /// <summary>Writes a complete (non-streamed) JSON response.</summary>
    public Task WriteJsonAsync(int status, JsonNode body) => WriteJsonAsync(Http, status, body, Token);

    public static async Task WriteJsonAsync(HttpContext http, int status, JsonNode body, CancellationToken token)
    {
        var bytes = Utf8.GetBytes(Serialize(body));
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json; charset=utf-8";
        http.Response.ContentLength = bytes.Length;
        await http.Response.Body.WriteAsync(bytes, token);
        await http.Response.Body.FlushAsync(token);
    }

    /// <summary>Waits <see cref="FakeReply.FirstTokenDelay"/> before chunk 0 and <see cref="FakeReply.ChunkDelay"/> before the others.</summary>
    public Task DelayBeforeChunkAsync(int index) => DelayAsync(index == 0 ? Reply.FirstTokenDelay : Reply.ChunkDelay);

    /// <summary>The time a non-streamed reply takes: the first-token delay plus a chunk delay per further chunk.</summary>
    public Task DelayWholeReplyAsync()
    {
        var total = Reply.FirstTokenDelay;
        if (Chunks.Count > 1 && Reply.ChunkDelay > TimeSpan.Zero)
        {
            total += Reply.ChunkDelay * (Chunks.Count - 1);
        }
        return DelayAsync(total);
    }

    public Task DelayAsync(TimeSpan delay) =>
        delay > TimeSpan.Zero || delay == Timeout.InfiniteTimeSpan ? Task.Delay(delay, Token) : Task.CompletedTask;

    /// <summary>
    /// Streams the content chunks through <paramref name="writeChunk"/>, honouring the delays and
    /// <see cref="FakeReply.CutAfterChunks"/>. Returns false when the connection was cut (write no terminator then).
    /// </summary>
    public async Task<bool> StreamChunksAsync(Func<string, int, Task> writeChunk)
    {
        var cut = Reply.CutAfterChunks;
        for (var i = 0; i < Chunks.Count; i++)
        {
            if (cut is { } n && i >= n)
            {
                await CutAsync();
                return false;
            }
            await DelayBeforeChunkAsync(i);
            await writeChunk(Chunks[i], i);
        }
        if (cut is not null)
        {
            await CutAsync();
            return false;
        }
        return true;
    }

    /// <summary>True when the server's transport closes aborted connections with a FIN (see FakeLlmServer.ConfigureSockets).</summary>
    internal static bool AbortSendsFin { get; set; }

    /// <summary>True once the reply has aborted the connection on purpose (<see cref="FakeReply.CutAfterChunks"/>).</summary>
    public bool WasCut { get; private set; }

    /// <summary>Aborts the connection mid-response: no terminator is written, the client sees the body end prematurely.</summary>
    public async Task CutAsync()
    {
        WasCut = true;
        if (!AbortSendsFin)
        {
            // A reset makes the client's kernel drop bytes it has not read yet; give it a moment to read them.
            await Task.Delay(TimeSpan.FromMilliseconds(200), Token);
        }
        Http.Abort();
    }

    /// <summary>Aborts the connection before any response is written (a non-streamed reply with a cut).</summary>
    public void CutBeforeResponse()
    {
        WasCut = true;
        Http.Abort();
    }

    /// <summary>Applies the error reply's Retry-After header, if any.</summary>
    public void ApplyRetryAfter()
    {
        if (Reply.RetryAfter is { } retry)
        {
            var seconds = Math.Max(0, (long)Math.Ceiling(retry.TotalSeconds));
            Http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }
    }

    /// <summary>Nanoseconds elapsed since the request started (Ollama reports durations in ns).</summary>
    public long ElapsedNanoseconds => (long)(Stopwatch.Elapsed.Ticks * (1_000_000_000.0 / TimeSpan.TicksPerSecond));

    /// <summary>A rough prompt token count: the characters of every message text (and system prompt) divided by 4.</summary>
    internal static int EstimateInputTokens(JsonObject request)
    {
        long chars = 0;
        if (request["system"] is { } system)
        {
            chars += CountText(system);
        }
        if (request["messages"] is JsonArray messages)
        {
            foreach (var message in messages)
            {
                if (message is JsonObject o && o["content"] is { } content)
                {
                    chars += CountText(content);
                }
            }
        }
        if (request["prompt"] is { } prompt)
        {
            chars += CountText(prompt);
        }
        return (int)Math.Max(1, (chars + 3) / 4);
    }

    private static long CountText(JsonNode node) => node switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s.Length,
        JsonArray a => a.Sum(n => n is null ? 0 : CountText(n)),
        JsonObject o => (o["text"] is { } t ? CountText(t) : 0) + (o["content"] is { } c ? CountText(c) : 0),
        _ => 0,
    };

    internal static string NewId(string prefix) => prefix + Guid.NewGuid().ToString("N")[..24];

    /// <summary>Maps <see cref="FakeReply.FinishReason"/> to OpenAI's vocabulary.</summary>
    public string OpenAIFinishReason => Reply.FinishReason switch
    {
        "end_turn" or "stop_sequence" => "stop",
        "max_tokens" => "length",
        "tool_use" => "tool_calls",
        "refusal" => "content_filter",
        var other => other,
    };

    /// <summary>Maps <see cref="FakeReply.FinishReason"/> to Anthropic's stop_reason vocabulary.</summary>
    public string AnthropicStopReason => Reply.FinishReason switch
    {
        "stop" => "end_turn",
        "length" => "max_tokens",
        "tool_calls" => "tool_use",
        "content_filter" => "refusal",
        var other => other,
    };

    /// <summary>Maps <see cref="FakeReply.FinishReason"/> to Ollama's done_reason vocabulary.</summary>
    public string OllamaDoneReason => Reply.FinishReason switch
    {
        "end_turn" or "stop_sequence" => "stop",
        "max_tokens" => "length",
        var other => other,
    };
}
