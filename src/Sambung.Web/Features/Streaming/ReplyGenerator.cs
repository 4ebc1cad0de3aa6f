using JasperFx;
using Marten;
using Microsoft.Extensions.AI;
using Sambung.Events.Conversations;
using Sambung.Projections.Conversations;
using Sambung.Web.Features.Chats;
using Sambung.Web.Features.Providers;
using Wolverine;

namespace Sambung.Web.Features.Streaming;

// Generates replies in the background, detached from the browser request that asked for them: closing the tab
// loses nothing, and any page can watch the text as it arrives through LiveReplies.
//   Before the first token, a transient failure (rate limit, timeout, network, provider down) is retried with
//   backoff; when that is not enough, the next model of the fallback chain takes over (recorded as FallbackTaken).
//   After the first token the model never changes: a failure ends the reply with its partial text.
public sealed class ReplyGenerator(
    IServiceScopeFactory scopes, IDocumentStore store, LiveReplies live, ProviderRegistry registry, ChatClientFactory clients,
    FallbackChain fallbacks, ReplyTitles titles, ILogger<ReplyGenerator> log, IHostApplicationLifetime lifetime)
{
    public const int RetriesBeforeFirstToken = 2;
    public static readonly TimeSpan CheckpointEvery = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan MaxRetryWait = TimeSpan.FromSeconds(10);

    public void Start(Guid conversationId, Guid replyId, string ownerId)
    {
        if (live.TryStart(conversationId, replyId, ownerId) is not { } reply) return; // already running
        _ = Task.Run(() => RunAsync(reply));
    }

    // Returns false when the reply is not running here (it ended, or the server restarted since).
    public bool Stop(Guid replyId, string userId)
    {
        if (live.Find(replyId) is not { } reply || reply.OwnerId != userId) return false;
        reply.Stop(userId);
        return true;
    }

    private async Task RunAsync(LiveReply reply)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(reply.Cancellation.Token, lifetime.ApplicationStopping);
        object ending;
        try
        {
            ending = await GenerateAsync(reply, linked.Token);
        }
        catch (OperationCanceledException) when (reply.StoppedBy is { } by)
        {
            ending = new StopReply(reply.ConversationId, reply.ReplyId, reply.Text, by);
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            ending = new FailReply(reply.ConversationId, reply.ReplyId, ProviderFailure.Interrupted, "The server stopped while replying.", reply.Text, reply.Elapsed);
        }
        catch (Exception e)
        {
            var failure = ProviderFailure.Of(e);
            log.LogWarning(Infrastructure.WithheldException.Of(e), "Reply {ReplyId} failed: {Kind}", reply.ReplyId, failure.Kind);
            ending = new FailReply(reply.ConversationId, reply.ReplyId, failure.Kind, failure.Detail, reply.Text, reply.Elapsed);
        }

        try
        {
            await RecordAsync(ending);
            if (ending is CompleteReply) titles.MaybeTitle(reply.ConversationId, reply.OwnerId);
        }
        catch (Exception e)
        {
            log.LogError(e, "Could not record the end of reply {ReplyId}", reply.ReplyId);
        }
        finally
        {
            reply.End();
            live.Remove(reply);
            await ForgetCheckpointAsync(reply.ReplyId);
        }
    }

    private async Task<object> GenerateAsync(LiveReply reply, CancellationToken ct)
    {
        TreeNode node;
        ConversationTree tree;
        List<ChatMessage> messages;
        await using (var session = store.QuerySession())
        {
            node = await session.LoadAsync<TreeNode>(reply.ReplyId, ct)
                ?? throw new InvalidOperationException($"Reply {reply.ReplyId} was started before it was stored.");
            tree = await session.LoadAsync<ConversationTree>(reply.ConversationId, ct)
                ?? throw new InvalidOperationException($"Conversation {reply.ConversationId} not found.");
            messages = await Prompt.ForReplyAsync(session, node, tree, ct);
        }
        var options = new ChatOptions
        {
            Temperature = (float?)node.Parameters?.Temperature,
            TopP = (float?)node.Parameters?.TopP,
            MaxOutputTokens = node.Parameters?.MaxTokens,
        };

        var available = await registry.AvailableToAsync(reply.OwnerId, ct);
        var candidates = await fallbacks.ForAsync(node.Model ?? tree.Model, node.Parameters?.FallbackModels ?? [], ct);
        ProviderFailure? failure = null;
        for (var i = 0; i < candidates.Count; i++)
        {
            var model = candidates[i];
            if (i > 0) await RecordAsync(new TakeFallback(reply.ConversationId, reply.ReplyId, model, failure?.Kind ?? ProviderFailure.Unknown));
            if (ProviderRegistry.Resolve(model, available) is not { } connection)
            {
                failure = new(ProviderFailure.NotConfigured, null, null, $"No connection for provider '{model.Provider}'.");
                continue;
            }
            var client = clients.Create(connection, model.Model);
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    return await StreamAsync(reply, client, model, messages, options, ct);
                }
                catch (Exception e) when (e is not OperationCanceledException && reply.Text.Length == 0)
                {
                    failure = ProviderFailure.Of(e);
                    log.LogInformation("Reply {ReplyId}: {Model} failed before the first token ({Kind}), attempt {Attempt}", reply.ReplyId, model, failure.Kind, attempt + 1);
                    if (!failure.IsTransient || attempt >= RetriesBeforeFirstToken) break;
                    await Task.Delay(Backoff(attempt, failure.RetryAfter), ct);
                }
            }
        }
        failure ??= new(ProviderFailure.NotConfigured, null, null, "No model is configured.");
        return new FailReply(reply.ConversationId, reply.ReplyId, failure.Kind, failure.Detail, "", reply.Elapsed);
    }

    private async Task<CompleteReply> StreamAsync(LiveReply reply, IChatClient client, ModelRef model, List<ChatMessage> messages,
        ChatOptions options, CancellationToken ct)
    {
        TimeSpan? firstToken = null;
        UsageDetails? usage = null;
        string? finishReason = null, providerModel = null;
        var nextCheckpoint = CheckpointEvery;
        await foreach (var update in client.GetStreamingResponseAsync(messages, options, ct))
        {
            if (!string.IsNullOrEmpty(update.Text))
            {
                firstToken ??= reply.Elapsed;
                reply.Append(update.Text);
                if (reply.Elapsed >= nextCheckpoint)
                {
                    nextCheckpoint = reply.Elapsed + CheckpointEvery;
                    await CheckpointAsync(reply, ct);
                }
            }
            foreach (var content in update.Contents.OfType<UsageContent>()) usage = content.Details;
            finishReason = update.FinishReason?.Value ?? finishReason;
            providerModel = update.ModelId ?? providerModel;
        }

        var text = reply.Text;
        var tokens = usage is { InputTokenCount: { } input, OutputTokenCount: { } output }
            ? new TokenUsage(input, output)
            : new TokenUsage(TokenEstimate.Of(messages.Select(m => m.Text)), TokenEstimate.Of([text]), Estimated: true);
        return new CompleteReply(reply.ConversationId, reply.ReplyId, text, finishReason ?? "stop", tokens, firstToken,
            reply.Elapsed, providerModel ?? model.Model);
    }

    private static TimeSpan Backoff(int attempt, TimeSpan? retryAfter)
    {
        var wait = retryAfter ?? TimeSpan.FromMilliseconds(500 * Math.Pow(2, attempt));
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait > MaxRetryWait ? MaxRetryWait : wait;
    }

    // The text so far, saved every few seconds: after a crash the reply is marked interrupted with what it had.
    private async Task CheckpointAsync(LiveReply reply, CancellationToken ct)
    {
        try
        {
            await using var session = store.LightweightSession();
            session.Store(new ReplyCheckpoint { Id = reply.ReplyId, ConversationId = reply.ConversationId, Text = reply.Text, At = DateTimeOffset.UtcNow });
            await session.SaveChangesAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogWarning(e, "Could not checkpoint reply {ReplyId}", reply.ReplyId);
        }
    }

    private async Task ForgetCheckpointAsync(Guid replyId)
    {
        try
        {
            await using var session = store.LightweightSession();
            session.Delete<ReplyCheckpoint>(replyId);
            await session.SaveChangesAsync();
        }
        catch (Exception e)
        {
            log.LogWarning(e, "Could not remove the checkpoint of reply {ReplyId}", replyId);
        }
    }

    // The end of a reply must not be lost to a concurrent write (the user renaming the chat meanwhile): retry.
    private async Task RecordAsync(object command)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var scope = scopes.CreateScope();
            var bus = scope.ServiceProvider.GetRequiredService<IMessageBus>();
            try
            {
                await bus.InvokeAsync<CommandResult>(new ConversationCommand((IConversationCommand)command), CancellationToken.None);
                return;
            }
            catch (ConcurrencyException) when (attempt < 5)
            {
                await Task.Delay(20 * attempt);
            }
        }
    }
}

public sealed class ReplyCheckpoint
{
    public Guid Id { get; set; }
    public Guid ConversationId { get; set; }
    public string Text { get; set; } = "";
    public DateTimeOffset At { get; set; }
}

// The models to try for a reply: the chat's own, then the chat's fallback chain when it has one, else the
// instance's (set by an admin, else SAMBUNG_FALLBACK_MODELS: "provider|model" separated by commas), each once.
public sealed class FallbackChain(IConfiguration config, ProviderRegistry registry)
{
    private readonly IReadOnlyList<ModelRef> fromEnvironment = Parse(config["SAMBUNG_FALLBACK_MODELS"]);

    public async Task<IReadOnlyList<ModelRef>> ForAsync(ModelRef primary, IReadOnlyList<ModelRef> chatFallbacks, CancellationToken ct)
    {
        var settings = await registry.SettingsAsync(ct);
        var chain = chatFallbacks.Count > 0 ? chatFallbacks
            : settings.FallbackModels.Count > 0 ? Parse(string.Join(',', settings.FallbackModels)) : fromEnvironment;
        return [primary, .. chain.Where(m => m != primary).Distinct()];
    }

    public static IReadOnlyList<ModelRef> Parse(string? list) => (list ?? "")
        .Split([',', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(ModelRefs.Parse).OfType<ModelRef>().ToList();
}

public static class Prompt
{
    public const string MergeHeader = "Context carried over from another branch of this conversation:";

    // The messages sent for one reply, built the same way for the generator and for "What the model saw". The
    // request fixed the system prompt (none is none); only replies older than the recorded context use the chat's.
    public static async Task<List<ChatMessage>> ForReplyAsync(IQuerySession session, TreeNode reply, ConversationTree tree, CancellationToken ct) =>
        Build(SystemPromptOf(reply, tree), await session.PathToAsync(reply.ConversationId, reply.ParentId!.Value, ct));

    public static string? SystemPromptOf(TreeNode reply, ConversationTree tree) => reply.Context is { } context ? context.SystemPrompt : tree.SystemPrompt;

    // What the model sees: the system prompt, then every message on the path that has text; a merge node is given
    // as context from another branch.
    public static List<ChatMessage> Build(string? systemPrompt, IEnumerable<TreeNode> path)
    {
        var messages = new List<ChatMessage>();
        if (!string.IsNullOrWhiteSpace(systemPrompt)) messages.Add(new(ChatRole.System, systemPrompt));
        foreach (var node in path)
        {
            if (string.IsNullOrEmpty(node.Text)) continue;
            messages.Add(node.Kind switch
            {
                NodeKind.Assistant => new ChatMessage(ChatRole.Assistant, node.Text),
                NodeKind.Merge => new ChatMessage(ChatRole.User, $"{MergeHeader}\n\n{node.Text}"),
                _ => new ChatMessage(ChatRole.User, node.Text),
            });
        }
        return messages;
    }
}

public static class TokenEstimate
{
    private static readonly Lazy<Microsoft.ML.Tokenizers.Tokenizer> Tokenizer =
        new(() => Microsoft.ML.Tokenizers.TiktokenTokenizer.CreateForEncoding("o200k_base"));

    // Used only when a provider reports no usage; such usage is flagged Estimated. o200k_base is GPT-4o's encoding:
    // close for other modern models too.
    public static long Of(IEnumerable<string?> texts) => texts.Sum(t => string.IsNullOrEmpty(t) ? 0 : (long)Tokenizer.Value.CountTokens(t));
}
