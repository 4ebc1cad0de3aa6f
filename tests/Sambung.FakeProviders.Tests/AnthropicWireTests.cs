using System.Net;
using System.Text.Json.Nodes;

namespace Sambung.FakeProviders.Tests;

public sealed class AnthropicWireTests : ServerTest
{
    private static List<(string Event, JsonObject Data)> NamedEvents(string body)
    {
        // Every event is exactly "event: NAME\ndata: JSON" followed by a blank line, and the JSON "type" repeats NAME.
        Assert.EndsWith("\n\n", body);
        var events = new List<(string, JsonObject)>();
        foreach (var block in body[..^2].Split("\n\n"))
        {
            var lines = block.Split('\n');
            Assert.Equal(2, lines.Length);
            Assert.StartsWith("event: ", lines[0]);
            Assert.StartsWith("data: ", lines[1]);
            var name = lines[0]["event: ".Length..];
            var data = JsonNode.Parse(lines[1]["data: ".Length..])!.AsObject();
            Assert.Equal(name, data["type"]!.GetValue<string>());
            events.Add((name, data));
        }
        return events;
    }

    [Fact]
    public async Task anthropic_stream_emits_the_documented_events_in_order()
    {
        Server.Enqueue(new FakeReply { Chunks = ["Hi", " there"], InputTokens = 9, OutputTokens = 4 });

        using var response = await PostAsync("/v1/messages", AnthropicRequest(stream: true), AnthropicHeaders);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", MediaType(response));
        Assert.True(response.Headers.Contains("request-id"));
        var events = NamedEvents(await response.Content.ReadAsStringAsync());
        Assert.Equal(
            ["message_start", "content_block_start", "ping", "content_block_delta", "content_block_delta", "content_block_stop", "message_delta", "message_stop"],
            events.Select(e => e.Event));

        var message = events[0].Data["message"]!;
        Assert.StartsWith("msg_", message["id"]!.GetValue<string>());
        Assert.Equal("message", message["type"]!.GetValue<string>());
        Assert.Equal("assistant", message["role"]!.GetValue<string>());
        Assert.Equal("claude-fake", message["model"]!.GetValue<string>());
        Assert.Empty(message["content"]!.AsArray());
        Assert.Equal(9, message["usage"]!["input_tokens"]!.GetValue<int>());

        Assert.Equal(0, events[1].Data["index"]!.GetValue<int>());
        Assert.Equal("text", events[1].Data["content_block"]!["type"]!.GetValue<string>());
        Assert.Equal("", events[1].Data["content_block"]!["text"]!.GetValue<string>());

        Assert.All(events.Where(e => e.Event == "content_block_delta"), e =>
        {
            Assert.Equal(0, e.Data["index"]!.GetValue<int>());
            Assert.Equal("text_delta", e.Data["delta"]!["type"]!.GetValue<string>());
        });
        Assert.Equal(["Hi", " there"], events.Where(e => e.Event == "content_block_delta").Select(e => e.Data["delta"]!["text"]!.GetValue<string>()));

        Assert.Equal(0, events[5].Data["index"]!.GetValue<int>());
        Assert.Equal("end_turn", events[6].Data["delta"]!["stop_reason"]!.GetValue<string>());
        Assert.Equal(4, events[6].Data["usage"]!["output_tokens"]!.GetValue<int>());
    }

    [Fact]
    public async Task anthropic_non_streaming_returns_a_message_object()
    {
        Server.Enqueue(new FakeReply { Text = "Whole answer.", InputTokens = 5, OutputTokens = 2, FinishReason = "length" });

        using var response = await PostAsync("/v1/messages", AnthropicRequest(stream: false), AnthropicHeaders);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", MediaType(response));
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("message", json["type"]!.GetValue<string>());
        Assert.Equal("assistant", json["role"]!.GetValue<string>());
        var block = Assert.Single(json["content"]!.AsArray())!;
        Assert.Equal("text", block["type"]!.GetValue<string>());
        Assert.Equal("Whole answer.", block["text"]!.GetValue<string>());
        Assert.Equal("max_tokens", json["stop_reason"]!.GetValue<string>());
        Assert.Equal(5, json["usage"]!["input_tokens"]!.GetValue<int>());
        Assert.Equal(2, json["usage"]!["output_tokens"]!.GetValue<int>());
    }

    [Theory]
    [InlineData(400, "invalid_request_error")]
    [InlineData(401, "authentication_error")]
    [InlineData(403, "permission_error")]
    [InlineData(404, "not_found_error")]
    [InlineData(429, "rate_limit_error")]
    [InlineData(500, "api_error")]
    [InlineData(529, "overloaded_error")]
    public async Task anthropic_error_reply_uses_the_error_envelope_with_the_type_for_the_status(int status, string type)
    {
        Server.Enqueue(new FakeReply { ErrorStatus = status, ErrorMessage = "scripted failure", RetryAfter = TimeSpan.FromSeconds(1) });

        using var response = await PostAsync("/v1/messages", AnthropicRequest(stream: true), AnthropicHeaders);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/json", MediaType(response));
        Assert.Equal("1", RetryAfterSeconds(response));
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("error", json["type"]!.GetValue<string>());
        Assert.Equal(type, json["error"]!["type"]!.GetValue<string>());
        Assert.Equal("scripted failure", json["error"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task anthropic_models_list_is_chosen_by_the_anthropic_headers()
    {
        using var response = await GetAsync("/v1/models", AnthropicHeaders);

        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var data = json["data"]!.AsArray();
        Assert.Equal(["fake-gpt", "fake-mini"], data.Select(m => m!["id"]!.GetValue<string>()));
        Assert.All(data, m =>
        {
            Assert.Equal("model", m!["type"]!.GetValue<string>());
            Assert.False(string.IsNullOrEmpty(m["display_name"]!.GetValue<string>()));
            Assert.True(DateTimeOffset.TryParse(m["created_at"]!.GetValue<string>(), out _));
        });
        Assert.False(json["has_more"]!.GetValue<bool>());
        Assert.Equal("fake-gpt", json["first_id"]!.GetValue<string>());
        Assert.Equal("fake-mini", json["last_id"]!.GetValue<string>());
        Assert.False(json.AsObject().ContainsKey("object"));
        Assert.Equal("anthropic", Assert.Single(Server.Requests).Protocol);
    }

    [Fact]
    public async Task anthropic_models_list_is_also_chosen_by_x_api_key_alone()
    {
        using var response = await GetAsync("/v1/models", ("x-api-key", "k"));

        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.True(json.AsObject().ContainsKey("has_more"));
        Assert.Equal("k", Assert.Single(Server.Requests).Header("X-Api-Key"));
    }

    [Fact]
    public async Task anthropic_stream_cut_after_chunks_ends_without_message_stop_and_the_client_sees_an_io_exception()
    {
        Server.Enqueue(new FakeReply { Chunks = ["one", " two", " three"], CutAfterChunks = 1 });

        using var response = await PostAsync("/v1/messages", AnthropicRequest(stream: true), AnthropicHeaders);
        var (received, error) = await ReadUntilEndAsync(response);

        Assert.IsAssignableFrom<IOException>(error);
        Assert.Contains("\"text\":\"one\"", received);
        Assert.DoesNotContain("two", received);
        Assert.DoesNotContain("content_block_stop", received);
        Assert.DoesNotContain("message_stop", received);
    }

    [Fact]
    public async Task anthropic_request_without_max_tokens_gets_an_invalid_request_error_like_the_real_api()
    {
        var body = AnthropicRequest(stream: false);
        body.Remove("max_tokens");

        using var response = await PostAsync("/v1/messages", body, AnthropicHeaders);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("invalid_request_error", json["error"]!["type"]!.GetValue<string>());
        Assert.Contains("max_tokens", json["error"]!["message"]!.GetValue<string>());
    }
}
