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
    public GenerationParameters Parameters { get; init; } = new();
    public Guid ActiveLeafId { get; init; }
    public int NodeCount { get; init; }
    public ConversationLifecycle Lifecycle { get; init; }
    public bool Pinned { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    // A fork's source conversation and the node its copy ended at.
    public Guid? ForkedFrom { get; init; }
    public Guid? ForkedFromNode { get; init; }
    public long Version { get; set; }
}

public sealed partial class ConversationTreeProjection : SingleStreamProjection<ConversationTree, Guid>
{
    public ConversationTree Create(ConversationStarted e) => new()
    {
        Id = e.ConversationId, OwnerId = e.OwnerId, Title = e.Title, Model = e.Model, SystemPrompt = e.SystemPrompt,
        ActiveLeafId = e.ConversationId, NodeCount = 1, CreatedAt = e.At, UpdatedAt = e.At,
    };

    public ConversationTree Apply(UserMessagePosted e, ConversationTree t) => Grown(t, e.NodeId, e.At);
    public ConversationTree Apply(UserMessageEdited e, ConversationTree t) => Grown(t, e.NodeId, e.At);
    public ConversationTree Apply(ReplyRequested e, ConversationTree t) => Grown(t, e.NodeId, e.At);
    public ConversationTree Apply(BranchesMerged e, ConversationTree t) => Grown(t, e.NodeId, e.At);
    public ConversationTree Apply(ReplyCompleted e, ConversationTree t) => t with { UpdatedAt = e.At };
    public ConversationTree Apply(BranchSelected e, ConversationTree t) => t with { ActiveLeafId = e.LeafId };
    public ConversationTree Apply(ConversationRenamed e, ConversationTree t) => t with { Title = e.Title };
    public ConversationTree Apply(ModelChanged e, ConversationTree t) => t with { Model = e.Model };
    public ConversationTree Apply(SystemPromptChanged e, ConversationTree t) => t with { SystemPrompt = e.SystemPrompt };
    public ConversationTree Apply(GenerationParametersChanged e, ConversationTree t) => t with { Parameters = e.Parameters };
    public ConversationTree Apply(ConversationDeleted e, ConversationTree t) => t with { Lifecycle = ConversationLifecycle.Trashed };
    public ConversationTree Apply(ConversationRestored e, ConversationTree t) => t with { Lifecycle = ConversationLifecycle.Active };

    // Events that change nothing shown here still move the stream version the page carries for concurrency, and
    // Marten only updates the document for events its projection handles: so every event has a handler.
    public ConversationTree Apply(ReplyFailed e, ConversationTree t) => t with { UpdatedAt = e.At };
    public ConversationTree Apply(ReplyStopped e, ConversationTree t) => t with { UpdatedAt = e.At };
    public ConversationTree Apply(FallbackTaken e, ConversationTree t) => t;
    public ConversationTree Apply(BranchHidden e, ConversationTree t) => t;
    public ConversationTree Apply(BranchRestored e, ConversationTree t) => t;
    public ConversationTree Apply(ConversationPinned e, ConversationTree t) => t with { Pinned = true };
    public ConversationTree Apply(ConversationUnpinned e, ConversationTree t) => t with { Pinned = false };
    public ConversationTree Apply(ConversationMovedToFolder e, ConversationTree t) => t;
    public ConversationTree Apply(ConversationTagged e, ConversationTree t) => t;
    public ConversationTree Apply(ConversationUntagged e, ConversationTree t) => t;
    public ConversationTree Apply(BranchLabeled e, ConversationTree t) => t;
    public ConversationTree Apply(BranchStarred e, ConversationTree t) => t;
    public ConversationTree Apply(BranchUnstarred e, ConversationTree t) => t;
    public ConversationTree Apply(ConversationForked e, ConversationTree t) => t with { ForkedFrom = e.SourceConversationId, ForkedFromNode = e.SourceNodeId };

    // Purged content leaves no read model behind.
    public bool ShouldDelete(ConversationPurged e) => true;

    private static ConversationTree Grown(ConversationTree t, Guid leaf, DateTimeOffset at) =>
        t with { ActiveLeafId = leaf, NodeCount = t.NodeCount + 1, UpdatedAt = at };
}
