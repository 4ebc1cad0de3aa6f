using System.Net;
using System.Text.Json.Nodes;

namespace Sambung.FakeProviders.Tests;

public sealed class OpenAIWireTests : ServerTest
{
    private static List<JsonObject> DataEvents(string body, out string terminator)
    {
        // Every event is exactly one "data: ..." line followed by a blank line.
        Assert.EndsWith("\n\n", body);
        var blocks = body[..^2].Split("\n\n");
        foreach (var block in blocks)
        {
            Assert.StartsWith("data: ", block);
            Assert.DoesNotContain('\n', block);
        }
        terminator = blocks[^1];
        return [.. blocks.Take(blocks.Length - 1).Select(b => JsonNode.Parse(b["data: ".Length..])!.AsObject())];
    }

    [Fact]
    public async Task openai_stream_sends_role_chunk_then_content_chunks_then_finish_chunk_then_done()
    {
        Server.Enqueue(new FakeReply { Chunks = ["Hel", "lo", " world"] });

        using var response = await PostAsync("/v1/chat/completions", OpenAIRequest(stream: true), OpenAIHeaders);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", MediaType(response));
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
        Assert.True(response.Headers.Contains("x-request-id"));
        var events = DataEvents(await response.Content.ReadAsStringAsync(), out var terminator);
        Assert.Equal("data: [DONE]", terminator);
        Assert.Equal(5, events.Count);

        var id = events[0]["id"]!.GetValue<string>();
        Assert.StartsWith("chatcmpl-", id);
        foreach (var e in events)
        {
            Assert.Equal("chat.completion.chunk", e["object"]!.GetValue<string>());
            Assert.Equal(id, e["id"]!.GetValue<string>());
            Assert.Equal("fake-gpt", e["model"]!.GetValue<string>());
            Assert.True(e["created"]!.GetValue<long>() > 0);
            Assert.False(e.ContainsKey("usage"));
        }
        Assert.Equal("assistant", events[0]["choices"]![0]!["delta"]!["role"]!.GetValue<string>());
        Assert.Equal(["Hel", "lo", " world"], events.Skip(1).Take(3).Select(e => e["choices"]![0]!["delta"]!["content"]!.GetValue<string>()));
        Assert.All(events.Take(4), e => Assert.Null(e["choices"]![0]!["finish_reason"]));
        var finish = events[4]["choices"]![0]!;
        Assert.Empty(finish["delta"]!.AsObject());
        Assert.Equal("stop", finish["finish_reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task openai_stream_ends_with_usage_chunk_and_done_when_include_usage_is_requested()
    {
        Server.Enqueue(new FakeReply { Text = "One two three", InputTokens = 11 });

        using var response = await PostAsync("/v1/chat/completions", OpenAIRequest(stream: true, includeUsage: true), OpenAIHeaders);
        var events = DataEvents(await response.Content.ReadAsStringAsync(), out var terminator);

        Assert.Equal("data: [DONE]", terminator);
        var last = events[^1];
        Assert.Empty(last["choices"]!.AsArray());
        Assert.Equal(11, last["usage"]!["prompt_tokens"]!.GetValue<int>());
        Assert.Equal(3, last["usage"]!["completion_tokens"]!.GetValue<int>());
        Assert.Equal(14, last["usage"]!["total_tokens"]!.GetValue<int>());
        Assert.Equal("stop", events[^2]["choices"]![0]!["finish_reason"]!.GetValue<string>());
        Assert.All(events.SkipLast(1), e =>
        {
            Assert.True(e.ContainsKey("usage"));
            Assert.Null(e["usage"]);
        });
    }

    [Fact]
    public async Task openai_non_streaming_returns_a_chat_completion_object()
    {
        Server.Enqueue(new FakeReply { Text = "Plain answer.", InputTokens = 7, OutputTokens = 3, FinishReason = "length", Model = "echo-model" });

        using var response = await PostAsync("/v1/chat/completions", OpenAIRequest(stream: false), OpenAIHeaders);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", MediaType(response));
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("chat.completion", json["object"]!.GetValue<string>());
        Assert.Equal("echo-model", json["model"]!.GetValue<string>());
        var choice = json["choices"]![0]!;
        Assert.Equal(0, choice["index"]!.GetValue<int>());
        Assert.Equal("assistant", choice["message"]!["role"]!.GetValue<string>());
        Assert.Equal("Plain answer.", choice["message"]!["content"]!.GetValue<string>());
        Assert.Equal("length", choice["finish_reason"]!.GetValue<string>());
        Assert.Equal(7, json["usage"]!["prompt_tokens"]!.GetValue<int>());
        Assert.Equal(3, json["usage"]!["completion_tokens"]!.GetValue<int>());
        Assert.Equal(10, json["usage"]!["total_tokens"]!.GetValue<int>());
    }

    [Theory]
    [InlineData(401, "invalid_request_error", "invalid_api_key")]
    [InlineData(429, "requests", "rate_limit_exceeded")]
    [InlineData(500, "server_error", null)]
    public async Task openai_error_reply_returns_the_error_envelope_with_the_status(int status, string type, string? code)
    {
        Server.Enqueue(new FakeReply { ErrorStatus = status, ErrorMessage = "scripted failure" });

        using var response = await PostAsync("/v1/chat/completions", OpenAIRequest(stream: true), OpenAIHeaders);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/json", MediaType(response));
        Assert.Null(RetryAfterSeconds(response));
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!.AsObject();
        Assert.Equal(["message", "type", "param", "code"], error.Select(p => p.Key));
        Assert.Equal("scripted failure", error["message"]!.GetValue<string>());
        Assert.Equal(type, error["type"]!.GetValue<string>());
        Assert.Null(error["param"]);
        Assert.Equal(code, error["code"]?.GetValue<string>());
    }

    [Fact]
    public async Task openai_rate_limit_reply_carries_retry_after_in_whole_seconds()
    {
        Server.Enqueue(FakeReply.Error(429, retryAfter: TimeSpan.FromMilliseconds(2500)));

        using var response = await PostAsync("/v1/chat/completions", OpenAIRequest(stream: false), OpenAIHeaders);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("3", RetryAfterSeconds(response));
        Assert.Equal(TimeSpan.FromSeconds(3), response.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task openai_models_lists_the_configured_models()
    {
        Server.Models.Add("extra-model");

        using var response = await GetAsync("/v1/models", OpenAIHeaders);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("list", json["object"]!.GetValue<string>());
        var data = json["data"]!.AsArray();
        Assert.Equal(["fake-gpt", "fake-mini", "extra-model"], data.Select(m => m!["id"]!.GetValue<string>()));
        Assert.All(data, m =>
        {
            Assert.Equal("model", m!["object"]!.GetValue<string>());
            Assert.True(m["created"]!.GetValue<long>() > 0);
            Assert.False(string.IsNullOrEmpty(m["owned_by"]!.GetValue<string>()));
        });
        var recorded = Assert.Single(Server.Requests);
        Assert.Equal("openai", recorded.Protocol);
        Assert.Equal("Bearer sk-test", recorded.Header("authorization"));
    }

    [Fact]
    public async Task openai_retrieve_model_returns_the_model_or_a_model_not_found_error()
    {
        using var known = await GetAsync("/v1/models/fake-mini", OpenAIHeaders);
        using var unknown = await GetAsync("/v1/models/nope", OpenAIHeaders);

        Assert.Equal("fake-mini", JsonNode.Parse(await known.Content.ReadAsStringAsync())!["id"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("model_not_found", JsonNode.Parse(await unknown.Content.ReadAsStringAsync())!["error"]!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task openai_stream_cut_after_chunks_ends_without_finish_or_done_and_the_client_sees_an_io_exception()
    {
        Server.Enqueue(new FakeReply { Chunks = ["alpha", " beta", " gamma", " delta"], CutAfterChunks = 2 });

        using var response = await PostAsync("/v1/chat/completions", OpenAIRequest(stream: true), OpenAIHeaders);
        var (received, error) = await ReadUntilEndAsync(response);

        Assert.IsAssignableFrom<IOException>(error);
        Assert.Contains("\"content\":\"alpha\"", received);
        Assert.Contains("\"content\":\" beta\"", received);
        Assert.DoesNotContain("gamma", received);
        Assert.DoesNotContain("finish_reason\":\"stop", received);
        Assert.DoesNotContain("[DONE]", received);
    }

    [Fact]
    public async Task openai_request_without_model_gets_a_400_and_does_not_consume_a_reply()
    {
        Server.Enqueue(FakeReply.Of("kept"));
        var body = OpenAIRequest(stream: false);
        body.Remove("model");

        using var response = await PostAsync("/v1/chat/completions", body, OpenAIHeaders);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request_error", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["type"]!.GetValue<string>());
        Assert.Equal(1, Server.PendingReplies);
    }

    [Fact]
    public async Task openai_path_without_v1_prefix_is_a_404_so_a_wrong_base_url_is_noticed()
    {
        using var response = await PostAsync("/chat/completions", OpenAIRequest(stream: false), OpenAIHeaders);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("unknown_url", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["code"]!.GetValue<string>());
        var recorded = Assert.Single(Server.Requests);
        Assert.Equal("/chat/completions", recorded.Path);
    }
}
