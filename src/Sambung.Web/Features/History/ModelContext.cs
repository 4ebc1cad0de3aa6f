using Marten;
using Microsoft.Extensions.AI;
using Sambung.Projections.Conversations;
using Sambung.Projections.Prompts;
using Sambung.Web.Features.Providers;
using Sambung.Web.Features.Streaming;

namespace Sambung.Web.Features.History;

// "What the model saw" for one reply: the messages exactly as the generator builds them (Prompt.ForReplyAsync, the
// same code), the model, parameters and template reference the request recorded, and the models to run it again with.
// Template: the prompt template the message was sent from, when the reader may still open it (their own or a public
// one, not deleted); its name and address, else only the reference the request recorded.
public sealed record ModelContextView(
    ConversationTree Tree, TreeNode Reply, IReadOnlyList<ChatMessage> Messages, ModelChoice Models, bool Panel, string? Error = null)
{
    public PromptView? Template { get; init; }

    public Guid NewReplyId { get; } = Guid.CreateVersion7();

    public static async Task<ModelContextView?> LoadAsync(IQuerySession session, ModelChoices models, Guid id, Guid replyId, string userId,
        bool panel, CancellationToken ct)
    {
        if (await session.FindTreeAsync(id, userId, ct) is not { Lifecycle: not Events.Conversations.ConversationLifecycle.Purged } tree) return null;
        if (await session.LoadAsync<TreeNode>(replyId, ct) is not { Kind: Events.Conversations.NodeKind.Assistant, ParentId: not null } reply
            || reply.ConversationId != id)
            return null;
        var messages = await Prompt.ForReplyAsync(session, reply, tree, ct);
        var template = reply.Context?.Template is { } used ? await session.LoadAsync<PromptView>(used.TemplateId, ct) : null;
        return new(tree, reply, messages, await models.ForAsync(userId, reply.Model ?? tree.Model, ct), panel)
        {
            Template = template is { Deleted: false } t && (t.OwnerId == userId || t.IsPublic) ? t : null,
        };
    }

    public string RoleKey(ChatMessage message) =>
        message.Role == ChatRole.System ? "ModelSaw.Role.System"
        : message.Role == ChatRole.Assistant ? "ModelSaw.Role.Assistant"
        : "ModelSaw.Role.User";
}
