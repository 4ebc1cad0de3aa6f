using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Sambung.FakeProviders;

/// <summary>OpenAI Chat Completions wire format (POST /v1/chat/completions, GET /v1/models).</summary>
internal static class OpenAIProtocol
{
    public const string Name = "openai";

    /// <summary>Validates the request like the real API would; returns an error message or null.</summary>
    public static string? Validate(JsonObject request)
    {
        if (request["model"] is not JsonValue model || !model.TryGetValue<string>(out var m) || m.Length == 0)
        {
            return "you must provide a model parameter";
        }
        if (request["messages"] is not JsonArray messages || messages.Count == 0)
        {
            return "'messages' must contain at least one message";
        }
        return null;
    }

    public static async Task ChatAsync(ReplyContext rc)
    {
        rc.Http.Response.Headers["x-request-id"] = ReplyContext.NewId("req_");
        if (rc.Reply.ErrorStatus is { } status)
        {
            await rc.DelayAsync(rc.Reply.FirstTokenDelay);
            rc.ApplyRetryAfter();
            await rc.WriteJsonAsync(status, Error(status, rc.Reply.ErrorMessage));
            return;
        }

        var id = ReplyContext.NewId("chatcmpl-");
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
                ["object"] = "chat.completion",
                ["created"] = rc.CreatedUnix,
                ["model"] = rc.Model,
                ["choices"] = new JsonArray(new JsonObject
                {
                    ["index"] = 0,
                    ["message"] = new JsonObject
                    {
                        ["role"] = "assistant",
                        ["content"] = rc.Text,
                        ["refusal"] = null,
                    },
                    ["logprobs"] = null,
                    ["finish_reason"] = rc.OpenAIFinishReason,
                }),
                ["usage"] = Usage(rc),
                ["system_fingerprint"] = "fp_fake",
            });
            return;
        }

        var includeUsage = rc.Request["stream_options"] is JsonObject so
            && so["include_usage"] is JsonValue iu && iu.TryGetValue<bool>(out var b) && b;

        JsonObject Chunk(JsonObject? delta, string? finishReason)
        {
            var chunk = new JsonObject
            {
                ["id"] = id,
                ["object"] = "chat.completion.chunk",
                ["created"] = rc.CreatedUnix,
                ["model"] = rc.Model,
                ["system_fingerprint"] = "fp_fake",
                ["choices"] = delta is null
                    ? new JsonArray()
                    : new JsonArray(new JsonObject
                    {
                        ["index"] = 0,
                        ["delta"] = delta,
                        ["logprobs"] = null,
                        ["finish_reason"] = finishReason,
                    }),
            };
            if (includeUsage)
            {
                // Documented: with include_usage every chunk carries "usage": null except the last, usage-only one.
                chunk["usage"] = null;
            }
            return chunk;
        }

        Task Send(JsonObject chunk) => rc.WriteAndFlushAsync("data: " + ReplyContext.Serialize(chunk) + "\n\n");

        await rc.StartStreamAsync("text/event-stream; charset=utf-8");
        await Send(Chunk(new JsonObject { ["role"] = "assistant", ["content"] = "", ["refusal"] = null }, null));
        var completed = await rc.StreamChunksAsync((text, _) => Send(Chunk(new JsonObject { ["content"] = text }, null)));
        if (!completed)
        {
            return;
        }
        await Send(Chunk(new JsonObject(), rc.OpenAIFinishReason));
        if (includeUsage)
        {
            var last = Chunk(null, null);
            last["usage"] = Usage(rc);
            await Send(last);
        }
        await rc.WriteAndFlushAsync("data: [DONE]\n\n");
    }

    private static JsonObject Usage(ReplyContext rc) => new()
    {
        ["prompt_tokens"] = rc.InputTokens,
        ["completion_tokens"] = rc.OutputTokens,
        ["total_tokens"] = rc.InputTokens + rc.OutputTokens,
    };

    public static JsonObject Error(int status, string? message, string? code = null, string? param = null)
    {
        var (type, defaultCode, defaultMessage) = status switch
        {
            400 => ("invalid_request_error", (string?)null, "Invalid request."),
            401 => ("invalid_request_error", "invalid_api_key", "Incorrect API key provided."),
            403 => ("invalid_request_error", "unsupported_country_region_territory", "Country, region, or territory not supported."),
            404 => ("invalid_request_error", "model_not_found", "The model does not exist or you do not have access to it."),
            429 => ("requests", "rate_limit_exceeded", "Rate limit reached for requests. Please try again later."),
            >= 500 => ("server_error", null, "The server had an error while processing your request. Sorry about that!"),
            _ => ("invalid_request_error", null, "Request failed."),
        };
        return new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["message"] = message ?? defaultMessage,
                ["type"] = type,
                ["param"] = param,
                ["code"] = code ?? defaultCode,
            },
        };
    }

    public static JsonObject ModelList(IEnumerable<string> models) => new()
    {
        ["object"] = "list",
        ["data"] = new JsonArray([.. models.Select(m => (JsonNode)ModelObject(m))]),
    };

    public static JsonObject ModelObject(string id) => new()
    {
        ["id"] = id,
        ["object"] = "model",
        ["created"] = 1_700_000_000,
        ["owned_by"] = "sambung-fake",
    };
}
