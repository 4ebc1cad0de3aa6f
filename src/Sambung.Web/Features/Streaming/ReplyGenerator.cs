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
//   A reply starts as soon as the command asking for it is decided, from the conversation state the handler
// holds: the provider call is under way while the events commit, so Sambung adds almost nothing to the
// provider's time to first token. Nothing is recorded (checkpoint, fallback, end) before that commit; a command
// that never commits has its call cancelled and leaves no trace.
//   Before the first token, a transient failure (rate limit, timeout, network, provider down) is retried with
// backoff; when that is not enough, the next model of the fallback chain takes over (recorded as FallbackTaken).
// After the first token the model never changes: a failure ends the reply with its partial text.
public sealed class ReplyGenerator(
    IServiceScopeFactory scopes, IDocumentStore store, LiveReplies live, ProviderRegistry registry, ChatClientFactory clients,
    FallbackChain fallbacks, ReplyTitles titles, ILogger<ReplyGenerator> log, IHostApplicationLifetime lifetime)
{
    public const int RetriesBeforeFirstToken = 2;
    public static readonly TimeSpan CheckpointEvery = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan MaxRetryWait = TimeSpan.FromSeconds(10);
    // How long a commit may take before the database is asked whether it happened, and then how often.
    private static readonly TimeSpan[] CommitChecks = [TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30)];

    // What a reply is generated from: everything comes from the decision, nothing is read back.
    private sealed record ReplyPlan(ModelRef Model, GenerationParameters Parameters, List<ChatMessage> Messages, Task<bool> Committed);

    // Called by a handler that appended these events to this session (not yet committed), with the state after them.
    public StartedReplies BeginAfterCommit(IDocumentSession session, Conversation after, IReadOnlyList<object> events)
    {
        var started = Begin(after, events);
        started.AfterCommitOf(session);
        return started;
    }

    // Starts the replies these events ask for, from the state after them, before anything is stored: the caller
    // then either ties them to the session that stores the events (AfterCommitOf) or gives them up (Abandon).
    // The provider request is sent from this thread, before this returns: no hop to another thread delays it.
    public StartedReplies Begin(Conversation after, IReadOnlyList<object> events)
    {
        var requests = events.OfType<ReplyRequested>().ToList();
        var started = new StartedReplies(live);
        if (requests.Count == 0) return started;
        ExecutionContext.Run(Clean, _ =>
        {
            var committed = WhenCommittedAsync(started.Outcome, requests[0].NodeId);
            foreach (var request in requests)
            {
                if (live.TryStart(after.Id, request.NodeId, after.OwnerId) is not { } reply) continue; // already running
                started.Add(reply);
                var messages = Prompt.Build(request.Context is { } context ? context.SystemPrompt : after.SystemPrompt, after.PathTo(request.ParentId));
                var plan = new ReplyPlan(request.Model, request.Parameters ?? new(), messages, committed);
                _ = committed.ContinueWith(t => { if (!t.Result) reply.Cancellation.Cancel(); }, TaskScheduler.Default);
                _ = RunAsync(reply, plan);
            }
        }, null);
        return started;
    }

    // Starts a reply that is already stored (asked for by a command sent without generation, as tests do), reading
    // its prompt back from the read models.
    public void Start(Guid conversationId, Guid replyId, string ownerId)
    {
        if (live.TryStart(conversationId, replyId, ownerId) is not { } reply) return; // already running
        _ = Detached(async () =>
        {
            ReplyPlan plan;
            try
            {
                await using var session = store.QuerySession();
                var node = await session.LoadAsync<TreeNode>(replyId)
                    ?? throw new InvalidOperationException($"Reply {replyId} was started before it was stored.");
                var tree = await session.LoadAsync<ConversationTree>(conversationId)
                    ?? throw new InvalidOperationException($"Conversation {conversationId} not found.");
                plan = new(node.Model ?? tree.Model, node.Parameters ?? new(), await Prompt.ForReplyAsync(session, node, tree, CancellationToken.None),
                    Task.FromResult(true));
            }
            catch (Exception e)
            {
                log.LogError(e, "Could not start reply {ReplyId}", replyId);
                reply.End();
                live.Remove(reply);
                return;
            }
            await RunAsync(reply, plan);
        });
    }

    // A generation outlives the request that started it: it must not carry the request's context along (its
    // HttpContext would stamp the reply's end with the browser's address while the request lasts, and be gone after).
    private static Task<T> Detached<T>(Func<Task<T>> work)
    {
        if (ExecutionContext.IsFlowSuppressed()) return Task.Run(work);
        using (ExecutionContext.SuppressFlow()) return Task.Run(work);
    }

    private static Task Detached(Func<Task> work) => Detached(async () => { await work(); return true; });

    // A context with nothing of any request in it (no HttpContext, no trace, no logging scope): generations started
    // on a request's thread run in it, so they carry none of the request along (see Detached).
    private static readonly ExecutionContext Clean = CleanContext();

    private static ExecutionContext CleanContext() =>
        Detached(() => Task.FromResult(ExecutionContext.Capture()!)).GetAwaiter().GetResult();

    // Returns false when the reply is not running here (it ended, or the server restarted since).
    public bool Stop(Guid replyId, string userId)
    {
        if (live.Find(replyId) is not { } reply || reply.OwnerId != userId) return false;
        reply.Stop(userId);
        return true;
    }

    // The commit normally reports back within milliseconds (outcome: true when stored, false when given up). When
    // it does not (it failed, or the machine is very busy), the database says whether the reply exists; a command
    // that never committed is given up after ~45 s.
    private async Task<bool> WhenCommittedAsync(Task<bool> outcome, Guid replyId)
    {
        foreach (var wait in CommitChecks)
        {
            if (await Task.WhenAny(outcome, Task.Delay(wait)) == outcome) return outcome.Result;
            try
            {
                await using var session = store.QuerySession();
                if (await session.LoadAsync<TreeNode>(replyId) is not null) return true;
            }
            catch (Exception e)
            {
                log.LogWarning(e, "Could not check whether reply {ReplyId} was stored", replyId);
            }
        }
        log.LogWarning("Reply {ReplyId} was never stored: its generation is abandoned", replyId);
        return false;
    }

    private async Task RunAsync(LiveReply reply, ReplyPlan plan)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(reply.Cancellation.Token, lifetime.ApplicationStopping);
        object ending;
        try
        {
            ending = await GenerateAsync(reply, plan, linked.Token);
        }
        catch (OperationCanceledException) when (reply.StoppedBy is { } by)
        {
            ending = new StopReply(reply.ConversationId, reply.ReplyId, reply.Text, by);
        }
        catch (OperationCanceledException) when (reply.Cancellation.IsCancellationRequested && !lifetime.ApplicationStopping.IsCancellationRequested)
        {
            reply.End(); // cancelled because its command was not stored (given up or abandoned): nothing to record
            live.Remove(reply);
            return;
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
            if (!await plan.Committed) return; // the reply was never stored: nothing to end
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
            if (plan.Committed is { IsCompletedSuccessfully: true, Result: true }) await ForgetCheckpointAsync(reply.ReplyId);
        }
    }

    private async Task<object> GenerateAsync(LiveReply reply, ReplyPlan plan, CancellationToken ct)
    {
        var options = new ChatOptions
        {
            Temperature = (float?)plan.Parameters.Temperature,
            TopP = (float?)plan.Parameters.TopP,
            MaxOutputTokens = plan.Parameters.MaxTokens,
        };

        var available = await registry.AvailableToAsync(reply.OwnerId, ct);
        var candidates = await fallbacks.ForAsync(plan.Model, plan.Parameters.FallbackModels, ct);
        ProviderFailure? failure = null;
        for (var i = 0; i < candidates.Count; i++)
        {
            var model = candidates[i];
            if (i > 0)
            {
                if (!await plan.Committed) throw new OperationCanceledException();
                await RecordAsync(new TakeFallback(reply.ConversationId, reply.ReplyId, model, failure?.Kind ?? ProviderFailure.Unknown));
            }
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
                    return await StreamAsync(reply, client, model, plan, options, ct);
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

    private async Task<CompleteReply> StreamAsync(LiveReply reply, IChatClient client, ModelRef model, ReplyPlan plan,
        ChatOptions options, CancellationToken ct)
    {
        var messages = plan.Messages;
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
                // A checkpoint of a reply that is not stored yet would have nothing to recover: wait for the commit.
                if (reply.Elapsed >= nextCheckpoint && plan.Committed is { IsCompletedSuccessfully: true, Result: true })
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

// Replies started before the events asking for them are stored: stored with a session's commit, or given up.
public sealed class StartedReplies(LiveReplies live)
{
    private readonly TaskCompletionSource<bool> outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<LiveReply> replies = [];

    internal Task<bool> Outcome => outcome.Task;

    internal void Add(LiveReply reply) => replies.Add(reply);

    // The replies go on once this session has committed the events that ask for them.
    public void AfterCommitOf(IDocumentSession session) => session.Listeners.Add(new CommitSignal(outcome));

    // The events will not be stored as decided: the provider calls are cancelled and the replies' ids are free for a
    // fresh start at once. Once the commit has reported success this does nothing.
    public void Abandon()
    {
        if (!outcome.TrySetResult(false)) return;
        foreach (var reply in replies)
        {
            reply.Cancellation.Cancel();
            live.Remove(reply);
        }
    }

    private sealed class CommitSignal(TaskCompletionSource<bool> outcome) : DocumentSessionListenerBase
    {
        public override Task AfterCommitAsync(IDocumentSession session, Marten.Services.IChangeSet commit, CancellationToken token)
        {
            outcome.TrySetResult(true);
            return Task.CompletedTask;
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
    public static List<ChatMessage> Build(string? systemPrompt, IEnumerable<TreeNode> path) =>
        Build(systemPrompt, path.Select(n => (n.Kind, n.Text)));

    // The same from the write model, as a reply starts from the state its command was decided on.
    public static List<ChatMessage> Build(string? systemPrompt, IEnumerable<ConversationNode> path) =>
        Build(systemPrompt, path.Select(n => (n.Kind, n.Text)));

    private static List<ChatMessage> Build(string? systemPrompt, IEnumerable<(NodeKind Kind, string Text)> path)
    {
        var messages = new List<ChatMessage>();
        if (!string.IsNullOrWhiteSpace(systemPrompt)) messages.Add(new(ChatRole.System, systemPrompt));
        foreach (var (kind, text) in path)
        {
            if (string.IsNullOrEmpty(text)) continue;
            messages.Add(kind switch
            {
                NodeKind.Assistant => new ChatMessage(ChatRole.Assistant, text),
                NodeKind.Merge => new ChatMessage(ChatRole.User, $"{MergeHeader}\n\n{text}"),
                _ => new ChatMessage(ChatRole.User, text),
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
