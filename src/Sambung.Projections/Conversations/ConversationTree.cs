using Marten.Events.Aggregation;
using Sambung.Events.Conversations;

namespace Sambung.Projections.Conversations;

// The conversation's header: who owns it, its settings and which leaf is active. The nodes themselves are
// TreeNode documents, so a long conversation is never rewritten as one blob.
public sealed record ConversationTree
{
    public Guid Id { get; init; }
    public string OwnerId { get; init; } = "";
    public string Title { get; init; } = "";
    public ModelRef Model { get; init; } = new("", "");
    public string? SystemPrompt { get; init; }
    public Guid ActiveLeafId { get; init; }
    public int NodeCount { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public long Version { get; set; }
}

public sealed partial class ConversationTreeProjection : SingleStreamProjection<ConversationTree, Guid>
{
    public ConversationTree Create(ConversationStarted e) => new()
    {
        Id = e.ConversationId, OwnerId = e.OwnerId, Title = e.Title, Model = e.Model, SystemPrompt = e.SystemPrompt,
        ActiveLeafId = e.ConversationId, NodeCount = 1, CreatedAt = e.At, UpdatedAt = e.At,
    };

    public ConversationTree Apply(UserMessagePosted e, ConversationTree t) =>
        t with { ActiveLeafId = e.NodeId, NodeCount = t.NodeCount + 1, UpdatedAt = e.At };

    public ConversationTree Apply(ReplyRequested e, ConversationTree t) =>
        t with { ActiveLeafId = e.NodeId, NodeCount = t.NodeCount + 1, UpdatedAt = e.At };

    public ConversationTree Apply(ReplyCompleted e, ConversationTree t) => t with { UpdatedAt = e.At };
}
