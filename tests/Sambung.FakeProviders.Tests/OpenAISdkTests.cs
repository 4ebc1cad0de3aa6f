using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using OpenAI;

namespace Sambung.FakeProviders.Tests;

public sealed class OpenAISdkTests : SdkTest
{
    private OpenAIClient Client(int? maxRetries = null)
    {
        var options = new OpenAIClientOptions { Endpoint = new Uri(Server.OpenAIBaseUrl) };
        if (maxRetries is { } n)
        {
            options.RetryPolicy = new ClientRetryPolicy(n);
        }
        return new OpenAIClient(new ApiKeyCredential("test-key"), options);
    }

    private IChatClient ChatClient(int? maxRetries = null) => Client(maxRetries).GetChatClient("fake-gpt").AsIChatClient();

    [Fact]
    public async Task openai_sdk_streams_the_scripted_text_with_usage_and_asks_for_include_usage()
    {
        Server.Enqueue(new FakeReply { Text = "Halo dari server palsu, apa kabar?", InputTokens = 12, OutputTokens = 6 });

        var result = await StreamAsync(ChatClient());

        Assert.Equal("Halo dari server palsu, apa kabar?", result.Text);
        Assert.Equal(ChatFinishReason.Stop, result.FinishReason);
        Assert.NotNull(result.Usage);
        Assert.Equal(12, result.Usage.InputTokenCount);
        Assert.Equal(6, result.Usage.OutputTokenCount);
        Assert.Equal(18, result.Usage.TotalTokenCount);

        var request = Assert.Single(Server.Requests);
        Assert.Equal("openai", request.Protocol);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v1/chat/completions", request.Path);
        Assert.Equal("Bearer test-key", request.Header("Authorization"));
        var body = request.Json()!;
        Assert.Equal("fake-gpt", body["model"]!.GetValue<string>());
        Assert.True(body["stream"]!.GetValue<bool>());
        Assert.True(body["stream_options"]!["include_usage"]!.GetValue<bool>());
        Assert.Equal("Say hello to the tests please", body["messages"]![0]!["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task openai_sdk_non_streaming_response_carries_text_usage_and_finish_reason()
    {
        Server.Enqueue(new FakeReply { Text = "Cut short", FinishReason = "length", InputTokens = 4, OutputTokens = 2 });

        var response = await ChatClient().GetResponseAsync(Prompt);

        Assert.Equal("Cut short", response.Text);
        Assert.Equal(ChatFinishReason.Length, response.FinishReason);
        Assert.Equal(4, response.Usage?.InputTokenCount);
        Assert.Equal(2, response.Usage?.OutputTokenCount);
        var body = Assert.Single(Server.Requests).Json()!.AsObject();
        Assert.False(body.ContainsKey("stream"));
    }

    [Fact]
    public async Task openai_sdk_observes_the_first_token_delay()
    {
        var delay = TimeSpan.FromMilliseconds(400);
        Server.Enqueue(new FakeReply { Text = "worth the wait", FirstTokenDelay = delay });

        var result = await StreamAsync(ChatClient());

        Assert.Equal("worth the wait", result.Text);
        Assert.NotNull(result.FirstTextAfter);
        Assert.True(result.FirstTextAfter >= delay - TimerSlack, $"first text after {result.FirstTextAfter}");
    }

    [Fact]
    public async Task openai_sdk_surfaces_a_429_as_a_client_result_exception()
    {
        Server.Enqueue(FakeReply.Error(429, "Rate limit reached for fake-gpt", TimeSpan.FromSeconds(7)));

        var ex = await Assert.ThrowsAsync<ClientResultException>(() => StreamAsync(ChatClient(maxRetries: 0)));

        Assert.Equal(429, ex.Status);
        Assert.Contains("Rate limit reached for fake-gpt", ex.Message);
        Assert.Equal("7", ex.GetRawResponse()?.Headers.TryGetValue("Retry-After", out var v) == true ? v : null);
        Assert.Single(Server.Requests);
    }

    [Fact]
    public async Task openai_sdk_retries_a_429_by_default_after_the_retry_after_delay_and_takes_the_next_reply()
    {
        Server.Enqueue(FakeReply.Error(429, retryAfter: TimeSpan.FromSeconds(1)), FakeReply.Of("second attempt"));

        var response = await ChatClient().GetResponseAsync(Prompt);

        Assert.Equal("second attempt", response.Text);
        var requests = Server.Requests;
        Assert.Equal(2, requests.Count);
        Assert.True(requests[1].ReceivedAt - requests[0].ReceivedAt >= TimeSpan.FromSeconds(1) - TimerSlack);
    }

    [Fact]
    public async Task openai_sdk_stream_cut_mid_way_throws_an_http_io_exception_after_the_partial_text()
    {
        Server.Enqueue(new FakeReply { Chunks = ["partial", " text", " lost"], CutAfterChunks = 2 });

        var (text, error) = await StreamUntilErrorAsync(ChatClient());

        Assert.Equal("partial text", text);
        Assert.IsType<HttpIOException>(error);
        Assert.Equal(HttpRequestError.ResponseEnded, ((HttpIOException)error).HttpRequestError);
    }

    [Fact]
    public async Task openai_sdk_lists_the_configured_models()
    {
        Server.Models.Add("fake-large");

        var models = await Client().GetOpenAIModelClient().GetModelsAsync();

        Assert.Equal(["fake-gpt", "fake-mini", "fake-large"], models.Value.Select(m => m.Id));
        var request = Assert.Single(Server.Requests);
        Assert.Equal(("openai", "GET", "/v1/models"), (request.Protocol, request.Method, request.Path));
        Assert.Equal("Bearer test-key", request.Header("Authorization"));
    }

    [Fact]
    public async Task openai_sdk_clients_can_stream_concurrently_from_one_server()
    {
        const int count = 12;
        Server.Enqueue([.. Enumerable.Range(0, count).Select(i => new FakeReply { Text = $"answer number {i}", ChunkDelay = TimeSpan.FromMilliseconds(10) })]);
        var client = ChatClient();

        var results = await Task.WhenAll(Enumerable.Range(0, count).Select(_ => StreamAsync(client)));

        Assert.Equal(Enumerable.Range(0, count).Select(i => $"answer number {i}").Order(), results.Select(r => r.Text).Order());
        Assert.All(results, r => Assert.NotNull(r.Usage));
    }

    [Fact]
    public async Task openai_sdk_cancellation_mid_stream_stops_the_upstream_reply()
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
