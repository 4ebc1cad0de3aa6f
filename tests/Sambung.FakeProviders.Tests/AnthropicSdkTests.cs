using Anthropic;
using Anthropic.Core;
using Anthropic.Exceptions;
using Microsoft.Extensions.AI;

namespace Sambung.FakeProviders.Tests;

public sealed class AnthropicSdkTests : SdkTest
{
    private AnthropicClient Client(int? maxRetries = null) =>
        new(new ClientOptions { ApiKey = "k", BaseUrl = Server.AnthropicBaseUrl, MaxRetries = maxRetries });

    private IChatClient ChatClient(int? maxRetries = null) =>
        Client(maxRetries).AsIChatClient("claude-x", defaultMaxOutputTokens: 256);

    [Fact]
    public async Task anthropic_sdk_streams_the_scripted_text_with_usage()
    {
        Server.Enqueue(new FakeReply { Text = "Terima kasih, sampai jumpa!", InputTokens = 10, OutputTokens = 5 });

        var result = await StreamAsync(ChatClient());

        Assert.Equal("Terima kasih, sampai jumpa!", result.Text);
        Assert.Equal(ChatFinishReason.Stop, result.FinishReason);
        Assert.NotNull(result.Usage);
        Assert.Equal(10, result.Usage.InputTokenCount);
        Assert.Equal(5, result.Usage.OutputTokenCount);

        var request = Assert.Single(Server.Requests);
        Assert.Equal(("anthropic", "POST", "/v1/messages"), (request.Protocol, request.Method, request.Path));
        var body = request.Json()!;
        Assert.Equal("claude-x", body["model"]!.GetValue<string>());
        Assert.Equal(256, body["max_tokens"]!.GetValue<int>());
        Assert.True(body["stream"]!.GetValue<bool>());
    }

    [Fact]
    public async Task anthropic_sdk_sends_the_api_key_as_a_bearer_token_with_an_anthropic_version()
    {
        await ChatClient().GetResponseAsync(Prompt);

        var request = Assert.Single(Server.Requests);
        // Anthropic 13.x documents ClientOptions.ApiKey as "sent as Authorization: Bearer"; no x-api-key header.
        Assert.Equal("Bearer k", request.Header("Authorization"));
        Assert.Null(request.Header("x-api-key"));
        Assert.False(string.IsNullOrEmpty(request.Header("anthropic-version")));
    }

    [Fact]
    public async Task anthropic_sdk_non_streaming_response_carries_text_usage_and_finish_reason()
    {
        Server.Enqueue(new FakeReply { Text = "Ran out", FinishReason = "length", InputTokens = 3, OutputTokens = 2 });

        var response = await ChatClient().GetResponseAsync(Prompt);

        Assert.Equal("Ran out", response.Text);
        Assert.Equal(ChatFinishReason.Length, response.FinishReason);
        Assert.Equal(3, response.Usage?.InputTokenCount);
        Assert.Equal(2, response.Usage?.OutputTokenCount);
        Assert.False(Assert.Single(Server.Requests).Json()!.AsObject().ContainsKey("stream"));
    }

    [Fact]
    public async Task anthropic_sdk_observes_the_first_token_delay()
    {
        var delay = TimeSpan.FromMilliseconds(400);
        Server.Enqueue(new FakeReply { Text = "worth the wait", FirstTokenDelay = delay });

        var result = await StreamAsync(ChatClient());

        Assert.Equal("worth the wait", result.Text);
        Assert.NotNull(result.FirstTextAfter);
        Assert.True(result.FirstTextAfter >= delay - TimerSlack, $"first text after {result.FirstTextAfter}");
    }

    [Fact]
    public async Task anthropic_sdk_surfaces_a_429_as_a_rate_limit_exception()
    {
        Server.Enqueue(FakeReply.Error(429, "Number of requests has exceeded your rate limit", TimeSpan.FromSeconds(3)));

        var ex = await Assert.ThrowsAsync<AnthropicRateLimitException>(() => StreamAsync(ChatClient(maxRetries: 0)));

        Assert.Contains("Number of requests has exceeded your rate limit", ex.Message);
        Assert.Single(Server.Requests);
    }

    [Fact]
    public async Task anthropic_sdk_retries_a_429_by_default_and_takes_the_next_reply()
    {
        Server.Enqueue(FakeReply.Error(429, retryAfter: TimeSpan.FromSeconds(1)), FakeReply.Of("second attempt"));

        var response = await ChatClient().GetResponseAsync(Prompt);

        Assert.Equal("second attempt", response.Text);
        var requests = Server.Requests;
        Assert.Equal(2, requests.Count);
        Assert.Equal("0", requests[0].Header("x-stainless-retry-count"));
        Assert.Equal("1", requests[1].Header("x-stainless-retry-count"));
        Assert.True(requests[1].ReceivedAt - requests[0].ReceivedAt >= TimeSpan.FromSeconds(1) - TimerSlack);
    }

    [Fact]
    public async Task anthropic_sdk_stream_cut_mid_way_throws_an_http_io_exception_after_the_partial_text()
    {
        Server.Enqueue(new FakeReply { Chunks = ["partial", " text", " lost"], CutAfterChunks = 2 });

        var (text, error) = await StreamUntilErrorAsync(ChatClient());

        Assert.Equal("partial text", text);
        Assert.IsType<HttpIOException>(error);
    }

    [Fact]
    public async Task anthropic_sdk_lists_the_configured_models()
    {
        var page = await Client().Models.List();

        Assert.Equal(["fake-gpt", "fake-mini"], page.Items.Select(m => m.ID));
        var request = Assert.Single(Server.Requests);
        Assert.Equal(("anthropic", "GET", "/v1/models"), (request.Protocol, request.Method, request.Path));
        Assert.Equal("Bearer k", request.Header("Authorization"));
    }

    [Fact]
    public async Task anthropic_sdk_cancellation_mid_stream_stops_the_upstream_reply()
    {
        Server.Enqueue(new FakeReply { Text = string.Join(" ", Enumerable.Repeat("word", 500)), ChunkDelay = TimeSpan.FromMilliseconds(20) });
        using var cts = new CancellationTokenSource();
        var received = 0;

        var ex = await Record.ExceptionAsync(async () =>
        {
            await foreach (var update in ChatClient().GetStreamingResponseAsync(Prompt, cancellationToken: cts.Token))
            {
                if (update.Text.Length > 0 && ++received == 3)
                {
                    await cts.CancelAsync();
                }
            }
        });

        Assert.IsAssignableFrom<OperationCanceledException>(ex);
        // SocketsHttpHandler drains an abandoned response for up to 2 s (ResponseDrainTimeout) before closing, so
        // the server may keep streaming briefly after the cancel; Eventually only guards against a hang.
        await Eventually(() => Server.ClientDisconnects == 1 && Server.ActiveChatRequests == 0, "the server to see the client go away");
    }
}
