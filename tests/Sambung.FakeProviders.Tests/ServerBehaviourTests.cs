using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;

namespace Sambung.FakeProviders.Tests;

public sealed class ServerBehaviourTests : ServerTest
{
    // Task.Delay may wake a timer tick early relative to Stopwatch; this only absorbs timer granularity.
    private static readonly TimeSpan TimerSlack = TimeSpan.FromMilliseconds(20);

    [Fact]
    public void base_urls_point_at_loopback_with_the_documented_suffixes()
    {
        Assert.Matches(@"^http://127\.0\.0\.1:\d+$", Server.BaseUrl);
        Assert.NotEqual(0, new Uri(Server.BaseUrl).Port);
        Assert.Equal(Server.BaseUrl + "/v1", Server.OpenAIBaseUrl);
        Assert.Equal(Server.BaseUrl, Server.AnthropicBaseUrl);
        Assert.Equal(Server.BaseUrl, Server.OllamaBaseUrl);
    }

    [Theory]
    [InlineData("Hello from the fake provider.", new[] { "Hello", " from", " the", " fake", " provider." })]
    [InlineData("  leading and trailing  ", new[] { "  leading", " and", " trailing", "  " })]
    [InlineData("line\nbreak\ttab", new[] { "line", "\nbreak", "\ttab" })]
    [InlineData("", new string[0])]
    public void default_chunks_are_words_that_keep_their_spaces_and_concatenate_to_the_text(string text, string[] expected)
    {
        var chunks = new FakeReply { Text = text }.EffectiveChunks();

        Assert.Equal(expected, chunks);
        Assert.Equal(text, string.Concat(chunks));
    }

    [Fact]
    public async Task queued_replies_are_taken_in_fifo_order_by_any_protocol_then_the_default_reply_is_used()
    {
        Server.DefaultReply = FakeReply.Of("default");
        Server.Enqueue(FakeReply.Of("first"), FakeReply.Of("second"));
        Server.Enqueue(FakeReply.Of("third"));

        using var a = await PostAsync("/v1/chat/completions", OpenAIRequest(stream: false), OpenAIHeaders);
        using var b = await PostAsync("/v1/messages", AnthropicRequest(stream: false), AnthropicHeaders);
        using var c = await PostAsync("/api/chat", OllamaRequest(stream: false));
        using var d = await PostAsync("/api/chat", OllamaRequest(stream: false));

        Assert.Equal("first", JsonNode.Parse(await a.Content.ReadAsStringAsync())!["choices"]![0]!["message"]!["content"]!.GetValue<string>());
        Assert.Equal("second", JsonNode.Parse(await b.Content.ReadAsStringAsync())!["content"]![0]!["text"]!.GetValue<string>());
        Assert.Equal("third", JsonNode.Parse(await c.Content.ReadAsStringAsync())!["message"]!["content"]!.GetValue<string>());
        Assert.Equal("default", JsonNode.Parse(await d.Content.ReadAsStringAsync())!["message"]!["content"]!.GetValue<string>());
        Assert.Equal(0, Server.PendingReplies);
    }

    [Fact]
    public async Task model_list_calls_do_not_consume_queued_replies()
    {
        Server.Enqueue(FakeReply.Of("still here"));

        using var _ = await GetAsync("/v1/models", OpenAIHeaders);
        using var __ = await GetAsync("/api/tags");

        Assert.Equal(1, Server.PendingReplies);
    }

    [Fact]
    public async Task requests_are_recorded_with_protocol_method_path_headers_and_body_in_arrival_order()
    {
        var before = DateTimeOffset.UtcNow;
        using var a = await PostAsync("/v1/chat/completions?api-version=x", OpenAIRequest(stream: true, includeUsage: true), OpenAIHeaders);
        await a.Content.ReadAsStringAsync();
        using var b = await PostAsync("/v1/messages", AnthropicRequest(stream: false), AnthropicHeaders);
        using var c = await GetAsync("/api/tags");

        var requests = Server.Requests;
        Assert.Equal(["openai", "anthropic", "ollama"], requests.Select(r => r.Protocol));
        Assert.Equal(["POST", "POST", "GET"], requests.Select(r => r.Method));
        Assert.Equal(["/v1/chat/completions", "/v1/messages", "/api/tags"], requests.Select(r => r.Path));
        Assert.Equal("?api-version=x", requests[0].QueryString);
        Assert.Equal("Bearer sk-test", requests[0].Headers["Authorization"]);
        Assert.Equal("Bearer sk-test", requests[0].Header("authorization"));
        Assert.True(requests[0].Json()!["stream_options"]!["include_usage"]!.GetValue<bool>());
        using (var doc = requests[0].ParseJsonDocument())
        {
            Assert.True(doc.RootElement.GetProperty("stream").GetBoolean());
        }
        Assert.Equal("ak-test", requests[1].Header("x-api-key"));
        Assert.Equal("2023-06-01", requests[1].Header("anthropic-version"));
        Assert.Equal("", requests[2].Body);
        Assert.Null(requests[2].Json());
        Assert.All(requests, r => Assert.True(r.ReceivedAt >= before.AddSeconds(-1)));
        Assert.True(requests[0].ReceivedAt <= requests[1].ReceivedAt && requests[1].ReceivedAt <= requests[2].ReceivedAt);
    }

    [Fact]
    public async Task requests_returns_a_snapshot_that_later_requests_do_not_change()
    {
        using var a = await GetAsync("/api/tags");
        var snapshot = Server.Requests;
        using var b = await GetAsync("/api/tags");

        Assert.Single(snapshot);
        Assert.Equal(2, Server.Requests.Count);
    }

    [Fact]
    public async Task reset_clears_the_queue_and_requests_and_restores_the_defaults()
    {
        Server.Enqueue(FakeReply.Of("queued"));
        Server.DefaultReply = FakeReply.Of("custom default");
        Server.Models.Clear();
        Server.Models.Add("other");
        using var _ = await GetAsync("/api/tags");

        Server.Reset();

        Assert.Empty(Server.Requests);
        Assert.Equal(0, Server.PendingReplies);
        Assert.Equal(new FakeReply(), Server.DefaultReply);
        Assert.Equal(FakeLlmServer.DefaultModels, Server.Models);
        using var response = await PostAsync("/api/chat", OllamaRequest(stream: false));
        Assert.Equal("Hello from the fake provider.", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["message"]!["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task first_token_delay_holds_back_the_first_content_chunk_but_not_the_headers_and_preamble()
    {
        var delay = TimeSpan.FromMilliseconds(400);
        Server.Enqueue(new FakeReply { Chunks = ["late", " words"], FirstTokenDelay = delay });
        var clock = Stopwatch.StartNew();

        using var response = await PostAsync("/v1/chat/completions", OpenAIRequest(stream: true), OpenAIHeaders);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var first = await reader.ReadLineAsync();
        var roleSeenBeforeContent = first!.Contains("\"role\":\"assistant\"") && !first.Contains("late");
        string? line;
        while ((line = await reader.ReadLineAsync()) is not null && !line.Contains("\"content\":\"late\""))
        {
        }
        var firstContentAt = clock.Elapsed;

        Assert.True(roleSeenBeforeContent);
        Assert.NotNull(line);
        Assert.True(firstContentAt >= delay - TimerSlack, $"first content after {firstContentAt}, expected at least {delay}");
    }

    [Fact]
    public async Task chunk_delay_spaces_the_chunks_out()
    {
        var chunkDelay = TimeSpan.FromMilliseconds(100);
        Server.Enqueue(new FakeReply { Chunks = ["a", "b", "c", "d"], ChunkDelay = chunkDelay });
        var clock = Stopwatch.StartNew();

        using var response = await PostAsync("/api/chat", OllamaRequest(stream: true));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(5, body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.True(clock.Elapsed >= chunkDelay * 3 - TimerSlack, $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task non_streaming_replies_wait_for_the_first_token_delay()
    {
        var delay = TimeSpan.FromMilliseconds(300);
        Server.Enqueue(new FakeReply { FirstTokenDelay = delay });
        var clock = Stopwatch.StartNew();

        using var response = await PostAsync("/v1/messages", AnthropicRequest(stream: false), AnthropicHeaders);
        await response.Content.ReadAsStringAsync();

        Assert.True(clock.Elapsed >= delay - TimerSlack, $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task non_streaming_reply_with_cut_after_chunks_drops_the_connection()
    {
        Server.Enqueue(new FakeReply { CutAfterChunks = 0 });

        var ex = await Record.ExceptionAsync(async () =>
        {
            using var response = await PostAsync("/v1/chat/completions", OpenAIRequest(stream: false), OpenAIHeaders);
            await response.Content.ReadAsStringAsync();
        });

        Assert.IsType<HttpRequestException>(ex);
    }

    [Fact]
    public async Task client_disconnect_stops_the_stream_and_is_counted()
    {
        Server.Enqueue(new FakeReply { Text = string.Join(" ", Enumerable.Repeat("word", 200)), ChunkDelay = TimeSpan.FromMilliseconds(50) });
        // Without this, disposing a half-read response makes SocketsHttpHandler drain it (up to 2 s) before closing.
        using var client = new HttpClient(new SocketsHttpHandler { MaxResponseDrainSize = 0 });

        var response = await client.SendAsync(
            new HttpRequestMessage(HttpMethod.Post, Server.OpenAIBaseUrl + "/chat/completions") { Content = JsonBody(OpenAIRequest(stream: true)) },
            HttpCompletionOption.ResponseHeadersRead);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        await reader.ReadLineAsync();
        Assert.Equal(1, Server.ActiveChatRequests);
        reader.Dispose();
        response.Dispose();

        await Eventually(() => Server.ActiveChatRequests == 0, "the server to stop streaming");
        Assert.Equal(1, Server.ClientDisconnects); // counted before the active count drops
        using var next = await PostAsync("/api/chat", OllamaRequest(stream: false));
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task disposing_the_server_does_not_wait_for_a_stream_in_progress()
    {
        var server = await FakeLlmServer.StartAsync();
        server.Enqueue(new FakeReply { Chunks = ["first", " never"], ChunkDelay = Timeout.InfiniteTimeSpan });
        using var response = await Http.SendAsync(
            new HttpRequestMessage(HttpMethod.Post, server.OpenAIBaseUrl + "/chat/completions") { Content = JsonBody(OpenAIRequest(stream: true)) },
            HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        string? line;
        while ((line = await reader.ReadLineAsync()) is not null && !line.Contains("\"content\":\"first\""))
        {
        }
        Assert.NotNull(line);

        // The guards only detect a hang: the stream itself would never end on its own.
        await server.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60));
        var rest = await Record.ExceptionAsync(() => reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(60)));

        Assert.IsAssignableFrom<IOException>(rest);
        Assert.Equal(0, server.ActiveChatRequests);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => Http.GetAsync(server.BaseUrl + "/api/tags"));
    }

    [Fact]
    public async Task dispose_can_be_called_twice()
    {
        var server = await FakeLlmServer.StartAsync();
        await server.DisposeAsync();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task two_servers_get_different_ports()
    {
        await using var other = await FakeLlmServer.StartAsync();

        Assert.NotEqual(Server.BaseUrl, other.BaseUrl);
    }

    [Fact]
    public async Task concurrent_requests_each_take_exactly_one_queued_reply()
    {
        const int count = 40;
        Server.Enqueue([.. Enumerable.Range(0, count).Select(i => new FakeReply { Text = $"reply {i}", ChunkDelay = TimeSpan.FromMilliseconds(5) })]);

        var answers = await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            using var response = await PostAsync("/api/chat", OllamaRequest(stream: true));
            var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return string.Concat(lines.Select(l => JsonNode.Parse(l)!["message"]!["content"]!.GetValue<string>()));
        }));

        Assert.Equal(Enumerable.Range(0, count).Select(i => $"reply {i}").Order(), answers.Order());
        Assert.Equal(count, Server.Requests.Count);
        Assert.Equal(0, Server.PendingReplies);
    }

    [Fact]
    public async Task non_ascii_text_is_sent_as_raw_utf8()
    {
        Server.Enqueue(FakeReply.Of("Selamat pagi ☕ — café"));

        using var response = await PostAsync("/v1/chat/completions", OpenAIRequest(stream: false), OpenAIHeaders);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Contains("Selamat pagi ☕ — café", body);
        Assert.Equal("utf-8", Charset(response));
    }

    [Fact]
    public async Task input_tokens_default_to_a_rough_count_and_output_tokens_to_the_chunk_count()
    {
        Server.Enqueue(FakeReply.Of("one two three four"));
        var body = OpenAIRequest(stream: false);
        body["messages"] = new JsonArray(
            new JsonObject { ["role"] = "system", ["content"] = new string('s', 40) },
            new JsonObject { ["role"] = "user", ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = new string('u', 40) }) });

        using var response = await PostAsync("/v1/chat/completions", body, OpenAIHeaders);
        var usage = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["usage"]!;

        Assert.Equal(20, usage["prompt_tokens"]!.GetValue<int>());
        Assert.Equal(4, usage["completion_tokens"]!.GetValue<int>());
    }

    [Fact]
    public async Task invalid_json_body_gets_a_400_in_the_protocol_shape()
    {
        using var response = await Http.PostAsync(Server.BaseUrl + "/api/chat", new StringContent("{not json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]);
    }

    [Fact]
    public async Task unknown_paths_get_a_404_in_the_guessed_protocol_shape_and_are_recorded()
    {
        using var anthropic = await GetAsync("/v1/files", AnthropicHeaders);
        using var ollama = await PostAsync("/api/generate", OllamaRequest(stream: false));

        Assert.Equal(HttpStatusCode.NotFound, anthropic.StatusCode);
        Assert.Equal("not_found_error", JsonNode.Parse(await anthropic.Content.ReadAsStringAsync())!["error"]!["type"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, ollama.StatusCode);
        Assert.Equal("404 page not found", JsonNode.Parse(await ollama.Content.ReadAsStringAsync())!["error"]!.GetValue<string>());
        Assert.Equal(["anthropic", "ollama"], Server.Requests.Select(r => r.Protocol));
    }
}
