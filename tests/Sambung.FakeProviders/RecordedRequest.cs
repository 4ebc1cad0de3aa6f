using System.Text.Json;
using System.Text.Json.Nodes;

namespace Sambung.FakeProviders;

/// <summary>
/// A request the fake server received (every request is recorded: chat calls, model lists, and unknown paths,
/// which get a 404 in the protocol's error shape).
/// </summary>
/// <param name="Protocol">"openai", "anthropic" or "ollama" (for unknown paths: the best guess from path and headers).</param>
/// <param name="Method">HTTP method, e.g. "POST".</param>
/// <param name="Path">Request path without the query string, e.g. "/v1/chat/completions".</param>
/// <param name="Headers">Request headers; keys are case-insensitive, repeated headers are joined with ", ".</param>
/// <param name="Body">The raw request body as UTF-8 text ("" when there is none).</param>
/// <param name="ReceivedAt">When the request arrived (UTC).</param>
public sealed record RecordedRequest(
    string Protocol,
    string Method,
    string Path,
    IReadOnlyDictionary<string, string> Headers,
    string Body,
    DateTimeOffset ReceivedAt)
{
    /// <summary>The query string including the leading '?', or "" when there is none.</summary>
    public string QueryString { get; init; } = "";

    /// <summary>
    /// The body parsed as a mutable <see cref="JsonNode"/> (a fresh copy on every call), or null when the body is empty.
    /// Throws <see cref="JsonException"/> when the body is not JSON.
    /// Example: <c>req.Json()!["stream_options"]?["include_usage"]?.GetValue&lt;bool&gt;()</c>.
    /// </summary>
    public JsonNode? Json() => string.IsNullOrWhiteSpace(Body) ? null : JsonNode.Parse(Body);

    /// <summary>The body parsed as a <see cref="System.Text.Json.JsonDocument"/>; the caller disposes it.</summary>
    public JsonDocument ParseJsonDocument() => JsonDocument.Parse(Body);

    /// <summary>A header's value, or null when absent (case-insensitive name).</summary>
    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;
}
