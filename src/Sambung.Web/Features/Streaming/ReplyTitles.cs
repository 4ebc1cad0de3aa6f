using Marten;
using Microsoft.Extensions.AI;
using Sambung.Events.Conversations;
using Sambung.Projections.Conversations;
using Sambung.Web.Features.Chats;
using Sambung.Web.Features.Providers;
using Wolverine;

namespace Sambung.Web.Features.Streaming;

// After the first reply of a chat, asks the chat's model for a short title. Until then (and when the model cannot
// help) the title is the first words of the first message. A title the user chose is never replaced.
public sealed class ReplyTitles(
    IServiceScopeFactory scopes, IDocumentStore store, ProviderRegistry registry, ChatClientFactory clients, IConfiguration config,
    ILogger<ReplyTitles> log)
{
    public const int MaxWords = 8;
    private readonly bool enabled = config.GetValue("Sambung:AutoTitle", true);

    public void MaybeTitle(Guid conversationId, string ownerId)
    {
        if (enabled) _ = Task.Run(() => TitleAsync(conversationId, ownerId));
    }

    private async Task TitleAsync(Guid conversationId, string ownerId)
    {
        try
        {
            Conversation? state;
            await using (var session = store.QuerySession())
                state = await ConversationHistory.AsOfVersionAsync(session, conversationId, long.MaxValue, CancellationToken.None);
            if (state is null || state.TitleSetByUser || state.Nodes.Values.Count(n => n.Status == ReplyStatus.Completed) != 1) return;
            // The one finished reply, and the message it answers: after "Ask several models" on a new chat, the first
            // reply to finish need not be the active one.
            var answer = state.Nodes.Values.Single(n => n.Status == ReplyStatus.Completed);
            if (state.PathTo(answer.Id).FirstOrDefault(n => n.Kind == NodeKind.User) is not { } question) return;
            if (ProviderRegistry.Resolve(state.Model, await registry.AvailableToAsync(ownerId, CancellationToken.None)) is not { } connection) return;

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var response = await clients.Create(connection, state.Model.Model).GetResponseAsync(
                [
                    new(ChatRole.System, $"Write a title of at most {MaxWords} words for this conversation, in the language of the user's message. Reply with the title only, without quotes."),
                    new(ChatRole.User, Clip(question.Text)),
                    new(ChatRole.Assistant, Clip(answer.Text)),
                    new(ChatRole.User, "Title?"),
                ],
                new ChatOptions { MaxOutputTokens = 32, Temperature = 0.2f }, timeout.Token);
            if (Clean(response.Text) is not { } title) return;

            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<IMessageBus>().InvokeAsync<CommandResult>(
                new ConversationCommand(new RenameConversation(conversationId, title, ownerId, Automatic: true)));
        }
        catch (Exception e)
        {
            log.LogInformation(Infrastructure.WithheldException.Of(e), "No automatic title for conversation {ConversationId}", conversationId);
        }
    }

    private static readonly char[] Marks = ['"', '\'', '“', '”', '*', '#', ' '];

    // The model's answer as a title: its first line without quotes, markdown marks, a "Title:" label or a final stop.
    public static string? Clean(string? text)
    {
        var line = (text ?? "").Trim().Split('\n', 2)[0].Trim(Marks);
        if (line.StartsWith("Title:", StringComparison.OrdinalIgnoreCase)) line = line[6..].Trim(Marks);
        line = line.TrimEnd('.').Trim(Marks);
        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0) return null;
        var title = string.Join(' ', words.Take(MaxWords));
        return title.Length > ConversationDecisions.MaxTitleLength ? ConversationDecisions.TitleFrom(title) : title;
    }

    private static string Clip(string text) => text.Length <= 2000 ? text : text[..2000];
}

// A reply still marked in progress at start-up has nothing generating it (the server stopped mid-reply): mark it
// interrupted, with the text of its last checkpoint, so no bubble is left "typing" forever.
public sealed class InterruptedReplies(IDocumentStore store, IServiceScopeFactory scopes, ILogger<InterruptedReplies> log) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        try
        {
            await using var session = store.QuerySession();
            var pending = await session.Query<TreeNode>().Where(n => n.Kind == NodeKind.Assistant && n.Status == ReplyStatus.Requested).ToListAsync(ct);
            foreach (var node in pending)
            {
                var checkpoint = await session.LoadAsync<ReplyCheckpoint>(node.Id, ct);
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<IMessageBus>().InvokeAsync<CommandResult>(new ConversationCommand(
                    new FailReply(node.ConversationId, node.Id, ProviderFailure.Interrupted, "The server stopped while replying.", checkpoint?.Text ?? "")), ct);
            }
            if (pending.Count > 0) log.LogWarning("Marked {Count} replies interrupted by a restart", pending.Count);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogError(e, "Could not mark interrupted replies");
        }
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
