using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Sambung.FakeProviders;

/// <summary>Ollama native wire format (POST /api/chat, GET /api/tags).</summary>
internal static class OllamaProtocol
{
    public const string Name = "ollama";

    /// <summary>Validates the request like the real API would; returns an error message or null.</summary>
    public static string? Validate(JsonObject request) =>
        request["model"] is JsonValue model && model.TryGetValue<string>(out var m) && m.Length > 0
            ? null
            : "model is required";

    public static async Task ChatAsync(ReplyContext rc)
    {
        if (rc.Reply.ErrorStatus is { } status)
        {
            await rc.DelayAsync(rc.Reply.FirstTokenDelay);
            rc.ApplyRetryAfter();
            await rc.WriteJsonAsync(status, Error(rc.Reply.ErrorMessage ?? DefaultErrorMessage(status)));
            return;
        }

        // Ollama streams unless the request says "stream": false.
        if (!rc.RequestFlag("stream", whenAbsent: true))
        {
            await rc.DelayWholeReplyAsync();
            if (rc.Reply.CutAfterChunks is not null)
            {
                rc.CutBeforeResponse();
                return;
            }
            await rc.WriteJsonAsync(StatusCodes.Status200OK, Final(rc, rc.Text));
            return;
        }

        await rc.StartStreamAsync("application/x-ndjson");
        var completed = await rc.StreamChunksAsync((text, _) => rc.WriteAndFlushAsync(ReplyContext.Serialize(new JsonObject
        {
            ["model"] = rc.Model,
            ["created_at"] = Now(),
            ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = text },
            ["done"] = false,
        }) + "\n"));
        if (!completed)
        {
            return;
        }
        await rc.WriteAndFlushAsync(ReplyContext.Serialize(Final(rc, "")) + "\n");
    }

    private static JsonObject Final(ReplyContext rc, string content)
    {
        var total = Math.Max(1, rc.ElapsedNanoseconds);
        var firstToken = Math.Min(total, Math.Max(0, (long)(rc.Reply.FirstTokenDelay.Ticks * 100L)));
        return new JsonObject
        {
            ["model"] = rc.Model,
            ["created_at"] = Now(),
            ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content },
            ["done_reason"] = rc.OllamaDoneReason,
            ["done"] = true,
            ["total_duration"] = total,
            ["load_duration"] = 0L,
            ["prompt_eval_count"] = rc.InputTokens,
            ["prompt_eval_duration"] = firstToken,
            ["eval_count"] = rc.OutputTokens,
            ["eval_duration"] = total - firstToken,
        };
    }

    private static string Now() => DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static string DefaultErrorMessage(int status) => status switch
    {
        400 => "invalid request",
        401 => "unauthorized",
        404 => "model not found, try pulling it first",
        429 => "too many requests",
        503 => "server busy, please try again. maximum pending requests exceeded",
        _ => "internal server error",
    };

    public static JsonObject Error(string message) => new() { ["error"] = message };

    public static JsonObject Tags(IEnumerable<string> models) => new()
    {
        ["models"] = new JsonArray([.. models.Select(m => (JsonNode)new JsonObject
        {
            ["name"] = m,
            ["model"] = m,
            ["modified_at"] = "2025-01-01T00:00:00.000000000Z",
            ["size"] = 1_000_000_000L,
            ["digest"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(m))),
            ["details"] = new JsonObject
            {
                ["parent_model"] = "",
                ["format"] = "gguf",
                ["family"] = "fake",
                ["families"] = new JsonArray("fake"),
                ["parameter_size"] = "1B",
                ["quantization_level"] = "Q4_K_M",
            },
        })]),
    };
}
