using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Sambung.FakeProviders;

/// <summary>Anthropic Messages wire format (POST /v1/messages, GET /v1/models with Anthropic headers).</summary>
internal static class AnthropicProtocol
{
    public const string Name = "anthropic";

    /// <summary>Validates the request like the real API would; returns an error message or null.</summary>
    public static string? Validate(JsonObject request)
    {
        if (request["model"] is not JsonValue model || !model.TryGetValue<string>(out var m) || m.Length == 0)
        {
            return "model: Field required";
        }
        if (request["max_tokens"] is not JsonValue maxTokens || !maxTokens.TryGetValue<long>(out _))
        {
            return "max_tokens: Field required";
        }
        if (request["messages"] is not JsonArray)
        {
            return "messages: Field required";
        }
        return null;
    }

    public static async Task ChatAsync(ReplyContext rc)
    {
        var requestId = ReplyContext.NewId("req_");
        rc.Http.Response.Headers["request-id"] = requestId;
        if (rc.Reply.ErrorStatus is { } status)
        {
            await rc.DelayAsync(rc.Reply.FirstTokenDelay);
            rc.ApplyRetryAfter();
            await rc.WriteJsonAsync(status, Error(status, rc.Reply.ErrorMessage, requestId));
            return;
        }

        var id = ReplyContext.NewId("msg_");
        if (!rc.RequestFlag("stream", whenAbsent: false))
        {
            await rc.DelayWholeReplyAsync();
            if (rc.Reply.CutAfterChunks is not null)
            {
                rc.CutBeforeResponse();
                return;
            }
            await rc.WriteJsonAsync(StatusCodes.Status200OK, new JsonObject
            {
                ["id"] = id,
                ["type"] = "message",
                ["role"] = "assistant",
                ["model"] = rc.Model,
                ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = rc.Text }),
                ["stop_reason"] = rc.AnthropicStopReason,
                ["stop_sequence"] = null,
                ["usage"] = Usage(rc.InputTokens, rc.OutputTokens),
            });
            return;
        }

        Task Send(string eventName, JsonObject data) =>
            rc.WriteAndFlushAsync("event: " + eventName + "\ndata: " + ReplyContext.Serialize(data) + "\n\n");

        await rc.StartStreamAsync("text/event-stream; charset=utf-8");
        await Send("message_start", new JsonObject
        {
            ["type"] = "message_start",
            ["message"] = new JsonObject
            {
                ["id"] = id,
                ["type"] = "message",
                ["role"] = "assistant",
                ["model"] = rc.Model,
                ["content"] = new JsonArray(),
                ["stop_reason"] = null,
                ["stop_sequence"] = null,
                // The real API reports the prompt tokens here and a provisional output count of 1.
                ["usage"] = Usage(rc.InputTokens, 1),
            },
        });
        await Send("content_block_start", new JsonObject
        {
            ["type"] = "content_block_start",
            ["index"] = 0,
            ["content_block"] = new JsonObject { ["type"] = "text", ["text"] = "" },
        });
        await Send("ping", new JsonObject { ["type"] = "ping" });
        var completed = await rc.StreamChunksAsync((text, _) => Send("content_block_delta", new JsonObject
        {
            ["type"] = "content_block_delta",
            ["index"] = 0,
            ["delta"] = new JsonObject { ["type"] = "text_delta", ["text"] = text },
        }));
        if (!completed)
        {
            return;
        }
        await Send("content_block_stop", new JsonObject { ["type"] = "content_block_stop", ["index"] = 0 });
        await Send("message_delta", new JsonObject
        {
            ["type"] = "message_delta",
            ["delta"] = new JsonObject { ["stop_reason"] = rc.AnthropicStopReason, ["stop_sequence"] = null },
            // Cumulative output tokens of the whole message.
            ["usage"] = new JsonObject { ["output_tokens"] = rc.OutputTokens },
        });
        await Send("message_stop", new JsonObject { ["type"] = "message_stop" });
    }

    private static JsonObject Usage(int inputTokens, int outputTokens) => new()
    {
        ["input_tokens"] = inputTokens,
        ["cache_creation_input_tokens"] = 0,
        ["cache_read_input_tokens"] = 0,
        ["output_tokens"] = outputTokens,
    };

    public static JsonObject Error(int status, string? message, string? requestId = null)
    {
        var (type, defaultMessage) = status switch
        {
            400 => ("invalid_request_error", "Invalid request."),
            401 => ("authentication_error", "invalid x-api-key"),
            402 => ("billing_error", "Your credit balance is too low."),
            403 => ("permission_error", "Your API key does not have permission to use the specified resource."),
            404 => ("not_found_error", "The requested resource could not be found."),
            413 => ("request_too_large", "Request exceeds the maximum allowed number of bytes."),
            429 => ("rate_limit_error", "Number of requests has exceeded your rate limit."),
            529 => ("overloaded_error", "Overloaded"),
            >= 500 => ("api_error", "Internal server error"),
            _ => ("invalid_request_error", "Request failed."),
        };
        var body = new JsonObject
        {
            ["type"] = "error",
            ["error"] = new JsonObject { ["type"] = type, ["message"] = message ?? defaultMessage },
        };
        if (requestId is not null)
        {
            body["request_id"] = requestId;
        }
        return body;
    }

    public static JsonObject ModelList(IReadOnlyList<string> models) => new()
    {
        ["data"] = new JsonArray([.. models.Select(m => (JsonNode)ModelObject(m))]),
        ["has_more"] = false,
        ["first_id"] = models.Count > 0 ? models[0] : null,
        ["last_id"] = models.Count > 0 ? models[^1] : null,
    };

    public static JsonObject ModelObject(string id) => new()
    {
        ["type"] = "model",
        ["id"] = id,
        ["display_name"] = id,
        ["created_at"] = "2025-01-01T00:00:00Z",
    };
}
