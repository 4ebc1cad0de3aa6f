using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Sambung.FakeProviders.Tests;

/// <summary>Each test gets its own server (xunit creates one class instance per test).</summary>
public abstract class ServerTest : IAsyncLifetime
{
    protected FakeLlmServer Server { get; private set; } = null!;

    protected HttpClient Http { get; } = new() { Timeout = TimeSpan.FromMinutes(2) };

    public async Task InitializeAsync() => Server = await FakeLlmServer.StartAsync();

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }

    protected static StringContent JsonBody(JsonNode body) =>
        new(body.ToJsonString(), Encoding.UTF8, "application/json");

    protected Task<HttpResponseMessage> PostAsync(string path, JsonNode body, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Server.BaseUrl + path) { Content = JsonBody(body) };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        return Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    protected Task<HttpResponseMessage> GetAsync(string path, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, Server.BaseUrl + path);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        return Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    protected static readonly (string, string)[] OpenAIHeaders = [("Authorization", "Bearer sk-test")];

    protected static readonly (string, string)[] AnthropicHeaders = [("x-api-key", "ak-test"), ("anthropic-version", "2023-06-01")];

    protected static JsonObject OpenAIRequest(bool stream, bool includeUsage = false, string model = "fake-gpt")
    {
        var body = new JsonObject
        {
            ["model"] = model,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Say hello to the tests please" }),
            ["stream"] = stream,
        };
        if (includeUsage)
        {
            body["stream_options"] = new JsonObject { ["include_usage"] = true };
        }
        return body;
    }

    protected static JsonObject AnthropicRequest(bool stream, string model = "claude-fake") => new()
    {
        ["model"] = model,
        ["max_tokens"] = 256,
        ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Say hello to the tests please" }),
        ["stream"] = stream,
    };

    protected static JsonObject OllamaRequest(bool? stream, string model = "llama-fake")
    {
        var body = new JsonObject
        {
            ["model"] = model,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Say hello to the tests please" }),
        };
        if (stream is { } s)
        {
            body["stream"] = s;
        }
        return body;
    }

    /// <summary>Polls until the condition holds; the deadline only guards against a hang, it is not a timing assertion.</summary>
    protected static async Task Eventually(Func<bool> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                Assert.Fail("Timed out waiting for: " + what);
            }
            await Task.Delay(20);
        }
    }

    protected static string MediaType(HttpResponseMessage response) =>
        response.Content.Headers.ContentType?.MediaType ?? "";

    protected static string? Charset(HttpResponseMessage response) =>
        response.Content.Headers.ContentType?.CharSet;

    protected static string? RetryAfterSeconds(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Retry-After", out var values) ? string.Join(",", values) : null;

    /// <summary>Reads a streamed body until the connection ends, returning what arrived and the exception (if any) that ended it.</summary>
    protected static async Task<(string Received, Exception? Error)> ReadUntilEndAsync(HttpResponseMessage response)
    {
        var received = new StringBuilder();
        await using var stream = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[4096];
        var decoder = Encoding.UTF8.GetDecoder();
        var chars = new char[Encoding.UTF8.GetMaxCharCount(buffer.Length)];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer)) > 0)
            {
                var n = decoder.GetChars(buffer, 0, read, chars, 0);
                received.Append(chars, 0, n);
            }
            return (received.ToString(), null);
        }
        catch (Exception ex)
        {
            return (received.ToString(), ex);
        }
    }

    protected static MediaTypeHeaderValue? ContentType(HttpResponseMessage response) => response.Content.Headers.ContentType;
}
