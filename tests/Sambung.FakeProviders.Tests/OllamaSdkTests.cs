using System.Net;
using Microsoft.Extensions.AI;
using OllamaSharp;

namespace Sambung.FakeProviders.Tests;

public sealed class OllamaSdkTests : SdkTest
{
    private OllamaApiClient Client() => new(new Uri(Server.OllamaBaseUrl), "llama-fake");

    [Fact]
    public async Task ollama_sdk_streams_the_scripted_text_with_usage()
    {
        Server.Enqueue(new FakeReply { Text = "Selamat malam dari Ollama palsu.", InputTokens = 8, OutputTokens = 5 });

        var result = await StreamAsync(Client());

        Assert.Equal("Selamat malam dari Ollama palsu.", result.Text);
        Assert.Equal(ChatFinishReason.Stop, result.FinishReason);
        Assert.NotNull(result.Usage);
        Assert.Equal(8, result.Usage.InputTokenCount);
        Assert.Equal(5, result.Usage.OutputTokenCount);

        var request = Assert.Single(Server.Requests);
        Assert.Equal(("ollama", "POST", "/api/chat"), (request.Protocol, request.Method, request.Path));
        var body = request.Json()!;
        Assert.Equal("llama-fake", body["model"]!.GetValue<string>());
        Assert.True(body["stream"]!.GetValue<bool>());
    }

    [Fact]
    public async Task ollama_sdk_non_streaming_response_carries_text_and_usage()
    {
        Server.Enqueue(new FakeReply { Text = "One piece", InputTokens = 3, OutputTokens = 2 });

        var response = await ((IChatClient)Client()).GetResponseAsync(Prompt);

        Assert.Equal("One piece", response.Text);
        Assert.Equal(3, response.Usage?.InputTokenCount);
        Assert.Equal(2, response.Usage?.OutputTokenCount);
        Assert.False(Assert.Single(Server.Requests).Json()!["stream"]!.GetValue<bool>());
    }

    [Fact]
    public async Task ollama_sdk_observes_the_first_token_delay()
    {
        var delay = TimeSpan.FromMilliseconds(400);
        Server.Enqueue(new FakeReply { Text = "worth the wait", FirstTokenDelay = delay });

        var result = await StreamAsync(Client());

        Assert.Equal("worth the wait", result.Text);
        Assert.NotNull(result.FirstTextAfter);
        Assert.True(result.FirstTextAfter >= delay - TimerSlack, $"first text after {result.FirstTextAfter}");
    }

    [Fact]
    public async Task ollama_sdk_surfaces_a_429_as_an_http_request_exception()
    {
        Server.Enqueue(FakeReply.Error(429, "too many requests", TimeSpan.FromSeconds(1)));

        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => StreamAsync(Client()));

        Assert.Equal(HttpStatusCode.TooManyRequests, ex.StatusCode);
        Assert.Single(Server.Requests);
    }

    [Fact]
    public async Task ollama_sdk_stream_cut_mid_way_throws_an_http_io_exception_after_the_partial_text()
    {
        Server.Enqueue(new FakeReply { Chunks = ["partial", " text", " lost"], CutAfterChunks = 2 });

        var (text, error) = await StreamUntilErrorAsync(Client());

        Assert.Equal("partial text", text);
        Assert.IsType<HttpIOException>(error);
    }

    [Fact]
    public async Task ollama_sdk_lists_the_configured_models()
    {
        var models = await Client().ListLocalModelsAsync();

        Assert.Equal(["fake-gpt", "fake-mini"], models.Select(m => m.Name));
        Assert.Equal(("ollama", "GET", "/api/tags"), (Server.Requests[0].Protocol, Server.Requests[0].Method, Server.Requests[0].Path));
    }

    [Fact]
    public async Task ollama_sdk_cancellation_mid_stream_stops_the_upstream_reply()
    {
        Server.Enqueue(new FakeReply { Text = string.Join(" ", Enumerable.Repeat("word", 500)), ChunkDelay = TimeSpan.FromMilliseconds(20) });
        using var cts = new CancellationTokenSource();
        var received = 0;

        var ex = await Record.ExceptionAsync(async () =>
        {
            await foreach (var update in ((IChatClient)Client()).GetStreamingResponseAsync(Prompt, cancellationToken: cts.Token))
            {
                if (update.Text.Length > 0 && ++received == 3)
                {
                    await cts.CancelAsync();
                }
            }
        });

        // OllamaSharp 5.5 ends the enumeration quietly when cancelled between updates instead of throwing.
        Assert.True(ex is null or OperationCanceledException, ex?.ToString());
        // SocketsHttpHandler drains an abandoned response for up to 2 s (ResponseDrainTimeout) before closing, so
        // the server may keep streaming briefly after the cancel; Eventually only guards against a hang.
        await Eventually(() => Server.ClientDisconnects == 1 && Server.ActiveChatRequests == 0, "the server to see the client go away");
    }
}
