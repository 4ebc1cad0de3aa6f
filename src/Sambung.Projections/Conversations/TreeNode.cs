using JasperFx.Events;
using Marten.Events.Projections;
using Sambung.Events.Conversations;

namespace Sambung.Projections.Conversations;

// One node of a conversation tree (the root, a user message, a reply, a merge). A node also lists its children in
// order and which of them are hidden, so the page can show "2 / 3" for any node on the active path from that path alone.
public sealed record TreeNode
{
    public Guid Id { get; init; }
    public Guid ConversationId { get; init; }
    public string OwnerId { get; init; } = "";
    public Guid? ParentId { get; init; }
    public NodeKind Kind { get; init; }
    public string Text { get; init; } = "";
    public ReplyStatus Status { get; init; }
    public ModelRef? Model { get; init; }
    public ModelRef? FallbackFrom { get; init; }
    public GenerationParameters? Parameters { get; init; }
    public PromptContext? Context { get; init; }
    public string? ProviderModelId { get; init; }
    public string? FinishReason { get; init; }
    public TokenUsage? Usage { get; init; }
    public TimeSpan? TimeToFirstToken { get; init; }
    public TimeSpan? Duration { get; init; }
    public string? ErrorKind { get; init; }
    public string? ErrorMessage { get; init; }
    public Guid? EditOf { get; init; }
    public Guid? RegenerationOf { get; init; }
    public MergeStrategy? MergeStrategy { get; init; }
    public List<Guid> MergedFrom { get; init; } = [];
    public bool Hidden { get; init; }
    public string? Label { get; init; }
    public bool Starred { get; init; }
    public List<Guid> Children { get; init; } = [];
    public List<Guid> HiddenChildren { get; init; } = [];
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }

    public bool IsPending => Kind == NodeKind.Assistant && Status == ReplyStatus.Requested;

    public List<Guid> VisibleChildren() => [.. Children.Where(c => !HiddenChildren.Contains(c))];
}

public sealed partial class TreeNodeProjection : MultiStreamProjection<TreeNode, Guid>
{
    public TreeNodeProjection()
    {
        Identity<IEvent<ConversationStarted>>(e => e.StreamId);
        Identities<UserMessagePosted>(e => [e.NodeId, e.ParentId]);
        Identities<UserMessageEdited>(e => [e.NodeId, e.ParentId]);
        Identities<ReplyRequested>(e => [e.NodeId, e.ParentId]);
        Identities<BranchesMerged>(e => [e.NodeId, e.ParentId]);
        Identity<ReplyCompleted>(e => e.NodeId);
        Identity<ReplyFailed>(e => e.NodeId);
        Identity<ReplyStopped>(e => e.NodeId);
        Identity<FallbackTaken>(e => e.NodeId);
        Identities<BranchHidden>(e => [e.NodeId, e.ParentId]);
        Identities<BranchRestored>(e => [e.NodeId, e.ParentId]);
        Identity<BranchLabeled>(e => e.NodeId);
        Identity<BranchStarred>(e => e.NodeId);
        Identity<BranchUnstarred>(e => e.NodeId);
        Identities<IEvent<ConversationPurged>>(e => [e.StreamId, .. e.Data.NodeIds]);
    }

    public TreeNode Create(IEvent<ConversationStarted> e) => new()
    {
        Id = e.StreamId, ConversationId = e.StreamId, OwnerId = e.Data.OwnerId, Kind = NodeKind.Root, CreatedAt = e.Data.At,
    };

    // An event that adds a node reaches two documents: Create makes the new node; Apply reaches its parent,
    // which gains a child.
    public TreeNode Create(IEvent<UserMessagePosted> e) => new()
    {
        Id = e.Data.NodeId, ConversationId = e.StreamId, OwnerId = e.Data.By, ParentId = e.Data.ParentId, Kind = NodeKind.User,
        Text = e.Data.Text, CreatedAt = e.Data.At,
    };

    public TreeNode Create(IEvent<UserMessageEdited> e) => new()
    {
        Id = e.Data.NodeId, ConversationId = e.StreamId, OwnerId = e.Data.By, ParentId = e.Data.ParentId, Kind = NodeKind.User,
        Text = e.Data.Text, EditOf = e.Data.EditOf, CreatedAt = e.Data.At,
    };

    public TreeNode Create(IEvent<ReplyRequested> e) => new()
    {
        Id = e.Data.NodeId, ConversationId = e.StreamId, OwnerId = e.Data.By, ParentId = e.Data.ParentId, Kind = NodeKind.Assistant,
        Status = ReplyStatus.Requested, Model = e.Data.Model, Parameters = e.Data.Parameters, Context = e.Data.Context,
        RegenerationOf = e.Data.RegenerationOf, CreatedAt = e.Data.At,
    };

    public TreeNode Create(IEvent<BranchesMerged> e) => new()
    {
        Id = e.Data.NodeId, ConversationId = e.StreamId, OwnerId = e.Data.By, ParentId = e.Data.ParentId, Kind = NodeKind.Merge,
        Text = e.Data.Text, MergeStrategy = e.Data.Strategy, MergedFrom = [.. e.Data.SourceNodeIds], CreatedAt = e.Data.At,
    };

    public TreeNode Apply(UserMessagePosted e, TreeNode node) => WithChild(node, e.NodeId);
    public TreeNode Apply(UserMessageEdited e, TreeNode node) => WithChild(node, e.NodeId);
    public TreeNode Apply(ReplyRequested e, TreeNode node) => WithChild(node, e.NodeId);
    public TreeNode Apply(BranchesMerged e, TreeNode node) => WithChild(node, e.NodeId);

    public TreeNode Apply(ReplyCompleted e, TreeNode node) => node with
    {
        Text = e.Text, Status = ReplyStatus.Completed, FinishReason = e.FinishReason, Usage = e.Usage,
        TimeToFirstToken = e.TimeToFirstToken, Duration = e.Duration, ProviderModelId = e.ProviderModelId, EndedAt = e.At,
    };

    public TreeNode Apply(ReplyFailed e, TreeNode node) => node with
    {
        Text = e.PartialText, Status = e.Status,
        ErrorKind = e.ErrorKind, ErrorMessage = e.Message, Duration = e.Duration, EndedAt = e.At,
    };

    public TreeNode Apply(ReplyStopped e, TreeNode node) => node with { Text = e.PartialText, Status = ReplyStatus.Stopped, EndedAt = e.At };

    public TreeNode Apply(FallbackTaken e, TreeNode node) => node with { Model = e.To, FallbackFrom = node.FallbackFrom ?? e.From };

    public TreeNode Apply(BranchHidden e, TreeNode node) => node.Id == e.NodeId
        ? node with { Hidden = true }
        : node with { HiddenChildren = [.. node.HiddenChildren.Append(e.NodeId).Distinct()] };

    public TreeNode Apply(BranchRestored e, TreeNode node) => node.Id == e.NodeId
        ? node with { Hidden = false }
        : node with { HiddenChildren = [.. node.HiddenChildren.Where(id => id != e.NodeId)] };

    public TreeNode Apply(BranchLabeled e, TreeNode node) => node with { Label = e.Label.Length == 0 ? null : e.Label };

    public TreeNode Apply(BranchStarred e, TreeNode node) => node with { Starred = true };

    public TreeNode Apply(BranchUnstarred e, TreeNode node) => node with { Starred = false };

    public bool ShouldDelete(ConversationPurged e) => true;

    private static TreeNode WithChild(TreeNode node, Guid childId) =>
        node.Id == childId || node.Children.Contains(childId) ? node : node with { Children = [.. node.Children, childId] };
}
