using System.Text.RegularExpressions;

namespace Sambung.FakeProviders;

/// <summary>
/// One scripted answer of the fake provider. Each chat request (whatever its protocol) takes the next
/// queued reply (<see cref="FakeLlmServer.Enqueue"/>) or, when the queue is empty, <see cref="FakeLlmServer.DefaultReply"/>.
/// </summary>
public sealed partial record FakeReply
{
    /// <summary>The answer text. Ignored when <see cref="Chunks"/> is set (the answer is then the chunks concatenated).</summary>
    public string Text { get; init; } = "Hello from the fake provider.";

    /// <summary>
    /// Explicit content chunks, streamed one per event. Default: <see cref="Text"/> split into word-sized tokens
    /// that keep their leading whitespace, so the chunks concatenate to <see cref="Text"/> exactly.
    /// </summary>
    public IReadOnlyList<string>? Chunks { get; init; }

    /// <summary>
    /// Delay before the first content chunk. The response headers and the protocol's preamble (OpenAI role chunk,
    /// Anthropic message_start/content_block_start/ping) are sent before it. For non-streaming and error replies
    /// the whole response is held back by this delay.
    /// </summary>
    public TimeSpan FirstTokenDelay { get; init; }

    /// <summary>Delay between two content chunks (for non-streaming replies it is added once per chunk after the first).</summary>
    public TimeSpan ChunkDelay { get; init; }

    /// <summary>When set (401, 429, 500, 529...), the reply is the provider's error JSON with this status; nothing is streamed.</summary>
    public int? ErrorStatus { get; init; }

    /// <summary>Sets the <c>Retry-After</c> header (whole seconds, rounded up) on error replies.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>The error message of an error reply; a per-status default when null.</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>
    /// After this many content chunks, the connection is aborted (<c>HttpContext.Abort()</c>) with no terminator
    /// (no finish chunk / <c>[DONE]</c>, no <c>message_stop</c>, no <c>"done": true</c> line).
    /// For a non-streaming request, the connection is aborted before any response is written.
    /// </summary>
    public int? CutAfterChunks { get; init; }

    /// <summary>Prompt token count reported in usage; default: a rough count (characters / 4) of the request's message texts.</summary>
    public int? InputTokens { get; init; }

    /// <summary>Completion token count reported in usage; default: the number of chunks.</summary>
    public int? OutputTokens { get; init; }

    /// <summary>Model id echoed in the response; default: the request's model.</summary>
    public string? Model { get; init; }

    /// <summary>
    /// Finish reason in OpenAI's vocabulary ("stop", "length", "tool_calls", "content_filter"). It is mapped per protocol:
    /// Anthropic stop_reason "end_turn"/"max_tokens"/"tool_use"/"refusal", Ollama done_reason "stop"/"length".
    /// Anthropic names given here are mapped back the other way; unknown values are passed through unchanged.
    /// </summary>
    public string FinishReason { get; init; } = "stop";

    /// <summary>A reply with the given text and everything else default.</summary>
    public static FakeReply Of(string text) => new() { Text = text };

    /// <summary>An error reply with the given status (and optional Retry-After / message).</summary>
    public static FakeReply Error(int status, string? message = null, TimeSpan? retryAfter = null) =>
        new() { ErrorStatus = status, ErrorMessage = message, RetryAfter = retryAfter };

    /// <summary>The chunks that are streamed: <see cref="Chunks"/> or <see cref="Text"/> split into words.</summary>
    public IReadOnlyList<string> EffectiveChunks() => Chunks ?? SplitIntoTokens(Text);

    /// <summary>The full answer text: the concatenated <see cref="Chunks"/> when set, otherwise <see cref="Text"/>.</summary>
    public string EffectiveText() => Chunks is null ? Text : string.Concat(Chunks);

    /// <summary>
    /// Splits text into word-sized tokens, each keeping its leading whitespace ("Hi there" → "Hi", " there").
    /// Trailing whitespace becomes its own token. The tokens concatenate to <paramref name="text"/> exactly.
    /// </summary>
    public static IReadOnlyList<string> SplitIntoTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<string>();
        foreach (Match m in TokenRegex().Matches(text))
        {
            tokens.Add(m.Value);
        }
        return tokens;
    }

    [GeneratedRegex(@"\s*\S+|\s+", RegexOptions.CultureInvariant)]
    private static partial Regex TokenRegex();
}
