using System.ClientModel;
using System.ClientModel.Primitives;
using System.Diagnostics;
using Microsoft.Extensions.AI;
using OpenAI;
using Sambung.FakeProviders;

namespace Sambung.Benchmarks;

// Where the chat engine's added time to first token goes, part one: the provider client alone. One request at a
// time against the fake OpenAI server in this process, alternating between a bare HTTP client that reads the SSE
// lines itself (the streaming scenario's "direct" side) and the OpenAI SDK behind Microsoft.Extensions.AI's
// IChatClient, built exactly as ChatClientFactory builds it. The difference of the two is what the SDK costs per
// reply before its first token, with no app, database or browser in the way.
public static class ProviderClientBenchmark
{
    private static readonly TimeSpan FirstTokenDelay = TimeSpan.FromMilliseconds(20);

    public static async Task RunAsync(BenchContext ctx)
    {
        Markdown.Heading(2, "provider-client");
        var rounds = ctx.Quick ? 50 : 500;
        await using var llm = await FakeLlmServer.StartAsync();
        llm.DefaultReply = new FakeReply { Chunks = ["Token0", " token1", " token2"], FirstTokenDelay = FirstTokenDelay };

        using var direct = new DirectClient(llm.OpenAIBaseUrl);
        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan }) { Timeout = Timeout.InfiniteTimeSpan };
        var sdk = new OpenAIClient(new ApiKeyCredential("bench-key"), new OpenAIClientOptions
        {
            Endpoint = new Uri(llm.OpenAIBaseUrl),
            RetryPolicy = new ClientRetryPolicy(0),
            Transport = new HttpClientPipelineTransport(http),
            NetworkTimeout = Timeout.InfiniteTimeSpan,
        }).GetChatClient("fake-gpt").AsIChatClient();

        var bare = new Samples("bare HTTP client, first content chunk");
        var viaSdk = new Samples("OpenAI SDK as IChatClient, first text update");
        for (var i = 0; i < rounds + 20; i++)
        {
            var measured = i >= 20; // the first rounds warm both up
            var attempt = await direct.CompleteAsync("Hello", "Token0 token1 token2", CancellationToken.None);
            if (attempt.Error is { } error) throw new BenchSetupException($"The bare client failed: {error}");
            if (measured) bare.Add(attempt.FirstText!.Value);

            var start = Stopwatch.GetTimestamp();
            TimeSpan? first = null;
            await foreach (var update in sdk.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "Hello")]))
                if (!string.IsNullOrEmpty(update.Text)) first ??= Stopwatch.GetElapsedTime(start);
            if (measured) viaSdk.Add(first ?? throw new BenchSetupException("The SDK streamed no text."));
        }
        Markdown.Latencies([bare, viaSdk]);
        Markdown.Line($"The provider waits {FirstTokenDelay.TotalMilliseconds:N0} ms before its first chunk; SDK minus bare client: " +
                      $"p50 {Markdown.Ms(viaSdk.Percentile(50) - bare.Percentile(50))} ms, p99 {Markdown.Ms(viaSdk.Percentile(99) - bare.Percentile(99))} ms.");
    }
}
