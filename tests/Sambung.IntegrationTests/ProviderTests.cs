using System.Text.Json;
using Alba;
using Wolverine;
using Marten;
using Sambung.Events.Conversations;
using Sambung.FakeProviders;
using Sambung.IntegrationTests.Support;
using Sambung.Projections.Conversations;
using Sambung.Web.Features.Providers;
using Sambung.Web.Features.Streaming;

namespace Sambung.IntegrationTests;

public sealed class ProviderTests(AppFixture app) : AppTest(app)
{
    private Conversations Chats => new(Host);

    // An instance connection (admin-added) of the given kind, pointing at the fake server.
    private async Task<ProviderConnection> ConnectAsync(ProviderKind kind, string? baseUrl = null, string key = "sk-test-1234")
    {
        await using var scope = Host.Services.CreateAsyncScope();
        var editor = scope.ServiceProvider.GetRequiredService<ConnectionEditor>();
        var url = baseUrl ?? (ProviderKinds.ProtocolOf(kind) switch
        {
            Protocol.Anthropic => App.Llm.AnthropicBaseUrl,
            Protocol.Ollama => App.Llm.OllamaBaseUrl,
            _ => App.Llm.OpenAIBaseUrl,
        });
        Assert.Null(await editor.AddAsync(null, Conversations.Owner, new NewConnection(kind, $"Fake {kind}", url, key), default));
        return (await editor.ListAsync(null, default)).Single(c => c.Kind == kind);
    }

    private async Task<TreeNode> ReplyWithAsync(ModelRef model, string text = "Hello")
    {
        var (id, message, reply) = (Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7());
        await Host.MessageBus().InvokeAsync<Sambung.Web.Features.Chats.CommandResult>(new StartConversation(id, Conversations.Owner, message, text, reply, model));
        Host.Services.GetRequiredService<ReplyGenerator>().Start(id, reply, Conversations.Owner);
        return await Store.ForReplyToEndAsync(reply);
    }

    [Theory]
    [InlineData(ProviderKind.Anthropic, "anthropic", "/v1/messages")]
    [InlineData(ProviderKind.Ollama, "ollama", "/api/chat")]
    [InlineData(ProviderKind.OpenAICompatible, "openai", "/v1/chat/completions")]
    [InlineData(ProviderKind.Groq, "openai", "/v1/chat/completions")]
    [InlineData(ProviderKind.OpenRouter, "openai", "/v1/chat/completions")]
    [InlineData(ProviderKind.Gemini, "openai", "/v1/chat/completions")]
    public async Task each_provider_streams_a_reply_with_its_usage(ProviderKind kind, string protocol, string path)
    {
        var connection = await ConnectAsync(kind);
        App.Llm.Enqueue(new FakeReply { Chunks = ["Halo ", "dari ", "penyedia."], InputTokens = 11, OutputTokens = 3 });

        var reply = await ReplyWithAsync(new ModelRef(connection.Reference, "fake-model"));

        Assert.True(reply.Status == ReplyStatus.Completed, $"{reply.ErrorKind}: {reply.ErrorMessage}");
        Assert.Equal("Halo dari penyedia.", reply.Text);
        Assert.Equal(new TokenUsage(11, 3), reply.Usage);
        Assert.NotNull(reply.TimeToFirstToken);
        var request = Assert.Single(App.Llm.Requests, r => r.Path == path);
        Assert.Equal(protocol, request.Protocol);
        if (kind != ProviderKind.Ollama) Assert.Contains("sk-test-1234", request.Headers["Authorization"]);
    }

    [Fact]
    public async Task the_environment_openai_connection_is_used_by_default()
    {
        App.Llm.Enqueue(FakeReply.Of("From the environment."));
        var reply = await ReplyWithAsync(new ModelRef("openai", "fake-gpt"));
        Assert.Equal("From the environment.", reply.Text);
        Assert.Equal("Bearer test-key", App.Llm.Requests.Single(r => r.Path.EndsWith("/chat/completions")).Headers["Authorization"]);
    }

    // Connections are kept in memory between replies: a change must be seen by the very next reply.
    [Fact]
    public async Task a_connection_added_or_removed_is_seen_by_the_next_reply()
    {
        var before = await ReplyWithAsync(new ModelRef("anthropic", "fake-claude")); // no such connection yet, and that is now kept
        Assert.Equal((ReplyStatus.Failed, ProviderFailure.NotConfigured), (before.Status, before.ErrorKind));

        var connection = await ConnectAsync(ProviderKind.Anthropic);
        App.Llm.Enqueue(FakeReply.Of("Through the new connection."));
        var reply = await ReplyWithAsync(new ModelRef("anthropic", "fake-claude"));
        Assert.Equal((ReplyStatus.Completed, "Through the new connection."), (reply.Status, reply.Text));

        await using (var scope = Host.Services.CreateAsyncScope())
            Assert.True(await scope.ServiceProvider.GetRequiredService<ConnectionEditor>().RemoveAsync(null, Conversations.Owner, connection.Id, default));
        var after = await ReplyWithAsync(new ModelRef("anthropic", "fake-claude"));
        Assert.Equal((ReplyStatus.Failed, ProviderFailure.NotConfigured), (after.Status, after.ErrorKind));
    }

    [Theory]
    [InlineData(401, null, "authentication")]
    [InlineData(403, null, "authentication")]
    [InlineData(400, "This model's maximum context length is 8192 tokens (context_length_exceeded)", "context-too-long")]
    [InlineData(400, "Invalid value for 'temperature'", "bad-request")]
    public async Task a_refused_request_fails_at_once_with_a_classified_error(int status, string? message, string kind)
    {
        App.Llm.Enqueue(new FakeReply { ErrorStatus = status, ErrorMessage = message });

        var reply = await ReplyWithAsync(new ModelRef("openai", "fake-gpt"));

        Assert.Equal((ReplyStatus.Failed, kind), (reply.Status, reply.ErrorKind));
        Assert.Single(App.Llm.Requests, r => r.Path.EndsWith("/chat/completions")); // never retried
        if (message is not null) Assert.Contains(message, reply.ErrorMessage);
    }

    [Theory]
    [InlineData(429, "rate-limited")]
    [InlineData(500, "provider-down")]
    [InlineData(503, "provider-down")]
    public async Task a_transient_failure_is_retried_before_the_first_token_then_reported(int status, string kind)
    {
        App.Llm.Enqueue(Enumerable.Range(0, 3).Select(_ => new FakeReply { ErrorStatus = status, RetryAfter = TimeSpan.Zero }).ToArray());

        var reply = await ReplyWithAsync(new ModelRef("openai", "fake-gpt"));

        Assert.Equal((ReplyStatus.Failed, kind), (reply.Status, reply.ErrorKind));
        Assert.Equal(1 + ReplyGenerator.RetriesBeforeFirstToken, App.Llm.Requests.Count(r => r.Path.EndsWith("/chat/completions")));
    }

    [Fact]
    public async Task a_retry_that_succeeds_gives_a_normal_reply()
    {
        App.Llm.Enqueue(new FakeReply { ErrorStatus = 429, RetryAfter = TimeSpan.Zero }, FakeReply.Of("Second time lucky."));

        var reply = await ReplyWithAsync(new ModelRef("openai", "fake-gpt"));

        Assert.Equal((ReplyStatus.Completed, "Second time lucky."), (reply.Status, reply.Text));
    }

    [Fact]
    public async Task a_connection_cut_mid_stream_keeps_the_partial_text_and_is_not_retried()
    {
        App.Llm.Enqueue(new FakeReply { Chunks = ["one ", "two ", "three ", "four"], CutAfterChunks = 2 }, FakeReply.Of("must not be used"));

        var reply = await ReplyWithAsync(new ModelRef("openai", "fake-gpt"));

        Assert.Equal((ReplyStatus.Failed, "network", "one two "), (reply.Status, reply.ErrorKind, reply.Text));
        Assert.Single(App.Llm.Requests, r => r.Path.EndsWith("/chat/completions"));
    }

    [Fact]
    public async Task when_the_model_fails_before_its_first_token_the_fallback_answers_and_it_is_recorded()
    {
        var backup = await ConnectAsync(ProviderKind.Anthropic);
        await using (var session = Store.LightweightSession())
        {
            session.Store(new ProviderSettings { FallbackModels = [$"{backup.Reference}|claude-backup"] });
            await session.SaveChangesAsync();
        }
        App.Llm.Enqueue(new FakeReply { ErrorStatus = 401 }, FakeReply.Of("The backup answered."));

        var reply = await ReplyWithAsync(new ModelRef("openai", "fake-gpt"));

        Assert.Equal((ReplyStatus.Completed, "The backup answered."), (reply.Status, reply.Text));
        Assert.Equal(new ModelRef(backup.Reference, "claude-backup"), reply.Model);
        var taken = Assert.Single((await Chats.EventsAsync(reply.ConversationId)).OfType<FallbackTaken>());
        Assert.Equal((new ModelRef("openai", "fake-gpt"), "authentication"), (taken.From, taken.Reason));
        Assert.Equal("anthropic", App.Llm.Requests.Last().Protocol);
    }

    [Fact]
    public async Task a_chat_s_own_fallback_chain_is_tried_in_order_before_the_instance_s()
    {
        var backup = await ConnectAsync(ProviderKind.Ollama);
        await using (var session = Store.LightweightSession())
        {
            session.Store(new ProviderSettings { FallbackModels = ["openai|instance-fallback"] });
            await session.SaveChangesAsync();
        }
        var (id, message, _) = await Chats.ExchangeAsync("Hi", "Hello");
        var chain = new List<ModelRef> { new("openai", "chat-fallback-1"), new(backup.Reference, "llama-backup") };
        // Saved through the chat settings form, as a person does it: two fallbacks, a "None" and a repeat skipped.
        var form = await PageForm.ReadAsync(Host, $"/c/{id}");
        var body = string.Join('&', new[]
        {
            ("__RequestVerificationToken", form.Fields["__RequestVerificationToken"]), ("systemPrompt", ""),
            ("fallback", "openai|chat-fallback-1"), ("fallback", $"{backup.Reference}|llama-backup"), ("fallback", ""), ("fallback", "openai|chat-fallback-1"),
        }.Select(f => $"{Uri.EscapeDataString(f.Item1)}={Uri.EscapeDataString(f.Item2)}"));
        await Host.Scenario(s =>
        {
            s.Post.Url($"/c/{id}").QueryString("handler", "Settings");
            s.ConfigureHttpContext(c =>
            {
                var bytes = System.Text.Encoding.UTF8.GetBytes(body);
                c.Request.ContentType = "application/x-www-form-urlencoded";
                c.Request.Body = new MemoryStream(bytes);
                c.Request.ContentLength = bytes.Length;
            });
            s.WithRequestHeader("Cookie", form.Cookie);
            s.WithRequestHeader("HX-Request", "true");
            s.StatusCodeShouldBe(204);
        });
        await using (var session = Store.QuerySession())
            Assert.Equal(chain, (await session.LoadAsync<ConversationTree>(id))!.Parameters.FallbackModels);

        App.Llm.Enqueue(new FakeReply { ErrorStatus = 401 }, new FakeReply { ErrorStatus = 401 }, FakeReply.Of("The chat's second fallback answered."));
        var (_, reply) = await Chats.PostAsync(id, "Again");
        Host.Services.GetRequiredService<ReplyGenerator>().Start(id, reply, Conversations.Owner);
        var node = await Store.ForReplyToEndAsync(reply);

        Assert.Equal((ReplyStatus.Completed, "The chat's second fallback answered."), (node.Status, node.Text));
        Assert.Equal(new ModelRef(backup.Reference, "llama-backup"), node.Model);
        Assert.Equal(chain, node.Parameters!.FallbackModels);
        var taken = (await Chats.EventsAsync(id)).OfType<FallbackTaken>().Select(f => f.To).ToList();
        Assert.Equal(chain, taken);
        Assert.DoesNotContain(App.Llm.Requests, r => r.Body.Contains("instance-fallback"));
    }

    [Fact]
    public async Task a_reply_left_running_by_a_crash_is_marked_interrupted_with_its_last_checkpoint()
    {
        var (id, _, reply) = await Chats.StartAsync("Tell me a long story");
        await using (var session = Store.LightweightSession())
        {
            session.Store(new ReplyCheckpoint { Id = reply, ConversationId = id, Text = "Once upon a time", At = DateTimeOffset.UtcNow });
            await session.SaveChangesAsync();
        }

        // What runs when the server starts again.
        await ActivatorUtilities.CreateInstance<InterruptedReplies>(Host.Services).StartAsync(default);

        var node = await Store.ForReplyToEndAsync(reply);
        Assert.Equal((ReplyStatus.Interrupted, "Once upon a time"), (node.Status, node.Text));
        var page = await Host.GetAsText($"/c/{id}");
        Assert.Contains("The reply was interrupted.", page);
        Assert.DoesNotContain(ReplyEventsEndpoint.UrlFor(id, reply), page); // not waiting for a stream any more
    }

    [Fact]
    public async Task a_reply_records_the_model_that_actually_answered()
    {
        App.Llm.Enqueue(new FakeReply { Text = "ok", Model = "fake-gpt-2026-11-01" });
        var reply = await ReplyWithAsync(new ModelRef("openai", "fake-gpt"));
        Assert.Equal("fake-gpt-2026-11-01", reply.ProviderModelId);
    }

    [Fact]
    public async Task chat_settings_reach_the_provider()
    {
        var (id, _, reply) = await Chats.ExchangeAsync("Hi", "Hello");
        await Chats.AppliedAsync(new ChangeSystemPrompt(id, "Answer in Indonesian.", Conversations.Owner));
        await Chats.AppliedAsync(new ChangeGenerationParameters(id, new GenerationParameters(0.3, 200, 0.8), Conversations.Owner));
        App.Llm.Enqueue(FakeReply.Of("Halo"));

        var (_, next) = await Chats.PostAsync(id, "Greet me");
        Host.Services.GetRequiredService<ReplyGenerator>().Start(id, next, Conversations.Owner);
        await Store.ForReplyToEndAsync(next);

        using var body = JsonDocument.Parse(App.Llm.Requests.Last(r => r.Path.EndsWith("/chat/completions")).Body);
        var root = body.RootElement;
        Assert.Equal("Answer in Indonesian.", root.GetProperty("messages")[0].GetProperty("content").GetString());
        Assert.Equal(0.3, root.GetProperty("temperature").GetDouble(), 3);
        Assert.Equal(0.8, root.GetProperty("top_p").GetDouble(), 3);
        Assert.True(root.TryGetProperty("max_completion_tokens", out var max) || root.TryGetProperty("max_tokens", out max));
        Assert.Equal(200, max.GetInt32());
    }
}
