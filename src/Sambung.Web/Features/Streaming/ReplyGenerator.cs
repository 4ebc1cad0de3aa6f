using System.ClientModel;
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
public sealed class ReplyGenerator(
    IServiceScopeFactory scopes, LiveReplies live, ChatProviders providers, ILogger<ReplyGenerator> log,
    IHostApplicationLifetime lifetime)
{
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
            ending = new FailReply(reply.ConversationId, reply.ReplyId, ReplyErrorKinds.Interrupted, "The server stopped while replying.", reply.Text, reply.Elapsed);
        }
        catch (Exception e)
        {
            log.LogWarning(e, "Reply {ReplyId} failed", reply.ReplyId);
            ending = new FailReply(reply.ConversationId, reply.ReplyId, ReplyErrorKinds.Of(e), ReplyErrorKinds.Describe(e), reply.Text, reply.Elapsed);
        }

        try
        {
            await RecordAsync(ending);
        }
        catch (Exception e)
        {
            log.LogError(e, "Could not record the end of reply {ReplyId}", reply.ReplyId);
        }
        finally
        {
            reply.End();
            live.Remove(reply);
        }
    }

    private async Task<object> GenerateAsync(LiveReply reply, CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var session = scope.ServiceProvider.GetRequiredService<IQuerySession>();
        var node = await session.LoadAsync<TreeNode>(reply.ReplyId, ct)
            ?? throw new InvalidOperationException($"Reply {reply.ReplyId} was started before it was stored.");
        var tree = await session.LoadAsync<ConversationTree>(reply.ConversationId, ct)
            ?? throw new InvalidOperationException($"Conversation {reply.ConversationId} not found.");
        var model = node.Model ?? tree.Model;

        if (providers.ClientFor(model) is not { } client)
            return new FailReply(reply.ConversationId, reply.ReplyId, ReplyErrorKinds.NotConfigured,
                $"No connection is configured for provider '{model.Provider}'.", "");

        var path = await session.PathToAsync(reply.ConversationId, node.ParentId!.Value, ct);
        var messages = Prompt.Build(tree.SystemPrompt, path);
        var options = new ChatOptions
        {
            Temperature = (float?)node.Parameters?.Temperature,
            TopP = (float?)node.Parameters?.TopP,
            MaxOutputTokens = node.Parameters?.MaxTokens,
        };

        TimeSpan? firstToken = null;
        UsageDetails? usage = null;
        string? finishReason = null, providerModel = null;
        await foreach (var update in client.GetStreamingResponseAsync(messages, options, ct))
        {
            if (!string.IsNullOrEmpty(update.Text))
            {
                firstToken ??= reply.Elapsed;
                reply.Append(update.Text);
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

    // The end of a reply must not be lost to a concurrent write (the user renaming the chat meanwhile): retry.
    private async Task RecordAsync(object ending)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var scope = scopes.CreateScope();
            var bus = scope.ServiceProvider.GetRequiredService<IMessageBus>();
            try
            {
                await bus.InvokeAsync<CommandResult>(new ConversationCommand((IConversationCommand)ending), CancellationToken.None);
                return;
            }
            catch (ConcurrencyException) when (attempt < 5)
            {
                await Task.Delay(20 * attempt);
            }
        }
    }
}

public static class Prompt
{
    // What the model sees: the system prompt, then every message on the path that has text.
    public static List<ChatMessage> Build(string? systemPrompt, IEnumerable<TreeNode> path)
    {
        var messages = new List<ChatMessage>();
        if (!string.IsNullOrWhiteSpace(systemPrompt)) messages.Add(new(ChatRole.System, systemPrompt));
        foreach (var node in path)
        {
            if (string.IsNullOrEmpty(node.Text)) continue;
            messages.Add(new(node.Kind == NodeKind.Assistant ? ChatRole.Assistant : ChatRole.User, node.Text));
        }
        return messages;
    }
}

public static class TokenEstimate
{
    // A rough count (about 4 characters a token for English) used only when a provider reports no usage;
    // such usage is flagged Estimated.
    public static long Of(IEnumerable<string?> texts) => texts.Sum(t => ((t?.Length ?? 0) + 3) / 4);
}

public static class ReplyErrorKinds
{
    public const string NotConfigured = "not-configured";
    public const string Authentication = "authentication";
    public const string RateLimited = "rate-limited";
    public const string ProviderError = "provider-error";
    public const string BadRequest = "bad-request";
    public const string Network = "network";
    public const string Interrupted = ReplyFailed.InterruptedKind;
    public const string Unknown = "unknown";

    public static string Of(Exception e) => e switch
    {
        ClientResultException { Status: 401 or 403 } => Authentication,
        ClientResultException { Status: 429 } => RateLimited,
        ClientResultException { Status: >= 500 } => ProviderError,
        ClientResultException { Status: >= 400 } => BadRequest,
        HttpRequestException or IOException => Network,
        _ => Unknown,
    };

    public static string Describe(Exception e) => e switch
    {
        ClientResultException c => $"The provider answered {c.Status}: {c.Message}",
        HttpRequestException or IOException => $"The connection to the provider failed: {e.Message}",
        _ => e.Message,
    };
}
