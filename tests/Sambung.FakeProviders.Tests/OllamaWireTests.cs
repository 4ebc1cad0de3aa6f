using System.Net;
using System.Text.Json.Nodes;

namespace Sambung.FakeProviders.Tests;

public sealed class OllamaWireTests : ServerTest
{
    private static List<JsonObject> NdjsonLines(string body)
    {
        // One JSON object per line, every line terminated by "\n", no blank lines.
        Assert.EndsWith("\n", body);
        var lines = body[..^1].Split('\n');
        Assert.All(lines, l => Assert.StartsWith("{", l));
        return [.. lines.Select(l => JsonNode.Parse(l)!.AsObject())];
    }

    [Fact]
    public async Task ollama_chat_streams_ndjson_by_default_and_ends_with_a_done_line()
    {
        Server.Enqueue(new FakeReply { Chunks = ["Good", " morning"], InputTokens = 6 });

        using var response = await PostAsync("/api/chat", OllamaRequest(stream: null));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-ndjson", MediaType(response));
        var lines = NdjsonLines(await response.Content.ReadAsStringAsync());
        Assert.Equal(3, lines.Count);
        foreach (var line in lines.Take(2))
        {
            Assert.Equal(["model", "created_at", "message", "done"], line.Select(p => p.Key));
            Assert.Equal("llama-fake", line["model"]!.GetValue<string>());
            Assert.True(DateTimeOffset.TryParse(line["created_at"]!.GetValue<string>(), out _));
            Assert.Equal("assistant", line["message"]!["role"]!.GetValue<string>());
            Assert.False(line["done"]!.GetValue<bool>());
        }
        Assert.Equal(["Good", " morning"], lines.Take(2).Select(l => l["message"]!["content"]!.GetValue<string>()));

        var final = lines[2];
        Assert.True(final["done"]!.GetValue<bool>());
        Assert.Equal("stop", final["done_reason"]!.GetValue<string>());
        Assert.Equal("", final["message"]!["content"]!.GetValue<string>());
        Assert.Equal(6, final["prompt_eval_count"]!.GetValue<int>());
        Assert.Equal(2, final["eval_count"]!.GetValue<int>());
        Assert.True(final["total_duration"]!.GetValue<long>() > 0);
        foreach (var field in new[] { "load_duration", "prompt_eval_duration", "eval_duration" })
        {
            Assert.True(final[field]!.GetValue<long>() >= 0, field);
        }
    }

    [Fact]
    public async Task ollama_chat_with_stream_false_returns_a_single_object()
    {
        Server.Enqueue(new FakeReply { Text = "All at once.", OutputTokens = 3 });

        using var response = await PostAsync("/api/chat", OllamaRequest(stream: false));

        Assert.Equal("application/json", MediaType(response));
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain('\n', body);
        var json = JsonNode.Parse(body)!;
        Assert.Equal("All at once.", json["message"]!["content"]!.GetValue<string>());
        Assert.True(json["done"]!.GetValue<bool>());
        Assert.Equal("stop", json["done_reason"]!.GetValue<string>());
        Assert.Equal(3, json["eval_count"]!.GetValue<int>());
    }

    [Fact]
    public async Task ollama_tags_lists_the_configured_models()
    {
        Server.Models.Clear();
        Server.Models.Add("llama-fake:latest");

        using var response = await GetAsync("/api/tags");

        var model = Assert.Single(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["models"]!.AsArray())!;
        Assert.Equal("llama-fake:latest", model["name"]!.GetValue<string>());
        Assert.Equal("llama-fake:latest", model["model"]!.GetValue<string>());
        Assert.True(DateTimeOffset.TryParse(model["modified_at"]!.GetValue<string>(), out _));
        Assert.True(model["size"]!.GetValue<long>() > 0);
        Assert.Matches("^[0-9a-f]{64}$", model["digest"]!.GetValue<string>());
        Assert.Equal("gguf", model["details"]!["format"]!.GetValue<string>());
        Assert.Equal("ollama", Assert.Single(Server.Requests).Protocol);
    }

    [Theory]
    [InlineData(404)]
    [InlineData(429)]
    [InlineData(500)]
    public async Task ollama_error_reply_returns_an_error_string_with_the_status(int status)
    {
        Server.Enqueue(new FakeReply { ErrorStatus = status, ErrorMessage = "scripted failure", RetryAfter = TimeSpan.FromSeconds(2) });

        using var response = await PostAsync("/api/chat", OllamaRequest(stream: true));

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/json", MediaType(response));
        Assert.Equal("2", RetryAfterSeconds(response));
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal(["error"], json.Select(p => p.Key));
        Assert.Equal("scripted failure", json["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task ollama_stream_cut_after_chunks_ends_without_a_done_line_and_the_client_sees_an_io_exception()
    {
        Server.Enqueue(new FakeReply { Chunks = ["a", "b", "c"], CutAfterChunks = 2 });

        using var response = await PostAsync("/api/chat", OllamaRequest(stream: true));
        var (received, error) = await ReadUntilEndAsync(response);

        Assert.IsAssignableFrom<IOException>(error);
        Assert.Contains("\"content\":\"a\"", received);
        Assert.Contains("\"content\":\"b\"", received);
        Assert.DoesNotContain("\"content\":\"c\"", received);
        Assert.DoesNotContain("\"done\":true", received);
    }

    [Fact]
    public async Task ollama_root_and_version_answer_like_a_running_ollama()
    {
        using var root = await GetAsync("/");
        using var version = await GetAsync("/api/version");

        Assert.Equal("Ollama is running", await root.Content.ReadAsStringAsync());
        Assert.NotNull(JsonNode.Parse(await version.Content.ReadAsStringAsync())!["version"]);
    }
}
