using System.Collections.Immutable;

namespace Sambung.Events.Conversations;

public enum ConversationLifecycle { Active, Trashed, Purged }

// The write model of one conversation: what decisions need (the tree's shape and texts, statuses, settings),
// folded from its stream. Immutable: each Apply returns a new value, so a cached state can be shared safely.
public sealed record Conversation(
    Guid Id,
    string OwnerId,
    string Title,
    bool TitleSetByUser,
    ModelRef Model,
    string? SystemPrompt,
    GenerationParameters Parameters,
    Guid ActiveLeafId,
    ImmutableDictionary<Guid, ConversationNode> Nodes,
    bool Pinned,
    Guid? FolderId,
    ImmutableSortedSet<string> Tags,
    ConversationLifecycle Lifecycle,
    DateTimeOffset? DeletedAt,
    long Version)
{
    public static readonly StringComparer TagComparer = StringComparer.OrdinalIgnoreCase;

    // The version of the last change a caller must have seen before acting on the conversation. A reply ending (or
    // falling back, or the automatic title) moves the version on but changes nothing a person decided on, so a
    // command sent with an older version that is not older than this one is no conflict.
    public long DecisiveVersion { get; init; } = 1;

    // The conversation and node this one was forked from, if it was.
    public (Guid Conversation, Guid Node)? ForkedFrom { get; init; }

    public static bool IsBackgroundChange(object e) =>
        e is ReplyCompleted or ReplyFailed or ReplyStopped or FallbackTaken or ConversationRenamed { Automatic: true };

    // A version the caller saw is current when nothing it must know of happened after it.
    public bool IsCurrentFor(long seenVersion) => seenVersion <= Version && seenVersion >= DecisiveVersion;

    public ConversationNode Root => Nodes[Id];

    public static Conversation Create(ConversationStarted e) => new(
        e.ConversationId, e.OwnerId, e.Title, false, e.Model, e.SystemPrompt, new GenerationParameters(), e.ConversationId,
        ImmutableDictionary<Guid, ConversationNode>.Empty.Add(e.ConversationId, ConversationNode.RootOf(e)),
        false, null, ImmutableSortedSet.Create<string>(TagComparer), ConversationLifecycle.Active, null, Version: 1);

    public static Conversation? Fold(IEnumerable<object> events, Conversation? from = null)
    {
        var state = from;
        foreach (var e in events)
            state = state is null ? (e is ConversationStarted started ? Create(started) : null) : state.Apply(e);
        return state;
    }

    public Conversation Apply(object e) => (e switch
    {
        UserMessagePosted x => AddChild(ConversationNode.UserMessage(x.NodeId, x.ParentId, x.Text, null, x.At)),
        UserMessageEdited x => AddChild(ConversationNode.UserMessage(x.NodeId, x.ParentId, x.Text, x.EditOf, x.At)),
        ReplyRequested x => AddChild(ConversationNode.Reply(x.NodeId, x.ParentId, x.Model, x.At)),
        BranchesMerged x => AddChild(ConversationNode.Merged(x.NodeId, x.ParentId, x.Text, x.SourceNodeIds, x.At)),
        ReplyCompleted x => Update(x.NodeId, n => n with { Text = x.Text, Status = ReplyStatus.Completed }),
        ReplyFailed x => Update(x.NodeId, n => n with { Text = x.PartialText, Status = x.Status }),
        ReplyStopped x => Update(x.NodeId, n => n with { Text = x.PartialText, Status = ReplyStatus.Stopped }),
        FallbackTaken x => Update(x.NodeId, n => n with { Model = x.To }),
        BranchSelected x => Select(x.LeafId),
        BranchHidden x => Update(x.NodeId, n => n with { Hidden = true }),
        BranchRestored x => Update(x.NodeId, n => n with { Hidden = false }),
        BranchLabeled x => Update(x.NodeId, n => n with { Label = x.Label.Length == 0 ? null : x.Label }),
        BranchStarred x => Update(x.NodeId, n => n with { Starred = true }),
        BranchUnstarred x => Update(x.NodeId, n => n with { Starred = false }),
        ConversationForked x => this with { ForkedFrom = (x.SourceConversationId, x.SourceNodeId) },
        ConversationRenamed x => this with { Title = x.Title, TitleSetByUser = TitleSetByUser || !x.Automatic },
        ConversationPinned => this with { Pinned = true },
        ConversationUnpinned => this with { Pinned = false },
        ConversationMovedToFolder x => this with { FolderId = x.FolderId },
        ConversationTagged x => this with { Tags = Tags.Add(x.Tag) },
        ConversationUntagged x => this with { Tags = Tags.Remove(x.Tag) },
        ModelChanged x => this with { Model = x.Model },
        SystemPromptChanged x => this with { SystemPrompt = x.SystemPrompt },
        GenerationParametersChanged x => this with { Parameters = x.Parameters },
        ConversationDeleted x => this with { Lifecycle = ConversationLifecycle.Trashed, DeletedAt = x.At },
        ConversationRestored => this with { Lifecycle = ConversationLifecycle.Active, DeletedAt = null },
        ConversationPurged => this with
        {
            Lifecycle = ConversationLifecycle.Purged, Title = "", SystemPrompt = null, Tags = Tags.Clear(), ActiveLeafId = Id,
            Nodes = ImmutableDictionary<Guid, ConversationNode>.Empty.Add(Id, Root with { Children = [], SelectedChild = null }),
        },
        _ => this,
    }) with { Version = Version + 1, DecisiveVersion = IsBackgroundChange(e) ? DecisiveVersion : Version + 1 };

    public bool Has(Guid nodeId) => Nodes.ContainsKey(nodeId);

    public ConversationNode? Find(Guid nodeId) => Nodes.GetValueOrDefault(nodeId);

    // The nodes from the root's first child down to the given node (the root itself is not a message).
    public IReadOnlyList<ConversationNode> PathTo(Guid nodeId)
    {
        var path = new List<ConversationNode>();
        for (var id = (Guid?)nodeId; id is { } current && current != Id; id = Nodes[current].ParentId)
            path.Add(Nodes[current]);
        path.Reverse();
        return path;
    }

    public IReadOnlyList<ConversationNode> ActivePath => PathTo(ActiveLeafId);

    // The ids of the nodes a reply's prompt was built from, oldest first.
    public IReadOnlyList<Guid> PromptPath(PromptContext context) =>
        Has(context.PathEnd) ? PathTo(context.PathEnd).TakeLast(context.PathLength).Select(n => n.Id).ToList() : [];

    public IEnumerable<ConversationNode> VisibleChildren(Guid nodeId) =>
        Nodes[nodeId].Children.Select(id => Nodes[id]).Where(n => !n.Hidden);

    // A node is visible when neither it nor any ancestor is hidden.
    public bool IsVisible(Guid nodeId) => PathTo(nodeId).All(n => !n.Hidden);

    // The leaf a branch leads to: down through the child chosen last time, else the newest visible child.
    public Guid LeafUnder(Guid nodeId)
    {
        var current = Nodes[nodeId];
        while (true)
        {
            var next = current.SelectedChild is { } chosen && Nodes.TryGetValue(chosen, out var c) && !c.Hidden
                ? c
                : VisibleChildren(current.Id).LastOrDefault();
            if (next is null) return current.Id;
            current = next;
        }
    }

    // A new node becomes the active leaf. When it grows from the active leaf, every ancestor already selects the way
    // to it and only the parent changes: folding a long conversation stays linear.
    private Conversation AddChild(ConversationNode child)
    {
        var parentId = child.ParentId!.Value;
        var parent = Nodes[parentId];
        var grown = this with
        {
            Nodes = Nodes
                .SetItem(child.Id, child)
                .SetItem(parentId, parent with { Children = parent.Children.Add(child.Id), SelectedChild = child.Id }),
        };
        return parentId == ActiveLeafId ? grown with { ActiveLeafId = child.Id } : grown.Select(child.Id);
    }

    // Remembers, at every node on the way, which child leads to the selected leaf.
    private Conversation Select(Guid leafId)
    {
        if (!Nodes.ContainsKey(leafId)) return this;
        var nodes = Nodes.ToBuilder();
        for (var id = leafId; nodes[id].ParentId is { } parent; id = parent)
            nodes[parent] = nodes[parent] with { SelectedChild = id };
        return this with { ActiveLeafId = leafId, Nodes = nodes.ToImmutable() };
    }

    private Conversation Update(Guid nodeId, Func<ConversationNode, ConversationNode> change) =>
        Nodes.TryGetValue(nodeId, out var node) ? this with { Nodes = Nodes.SetItem(nodeId, change(node)) } : this;
}

public sealed record ConversationNode(
    Guid Id,
    Guid? ParentId,
    NodeKind Kind,
    string Text,
    ReplyStatus Status,
    ModelRef? Model,
    ImmutableList<Guid> Children,
    DateTimeOffset CreatedAt,
    Guid? EditOf = null,
    bool Hidden = false,
    Guid? SelectedChild = null,
    IReadOnlyList<Guid>? MergedFrom = null,
    string? Label = null,
    bool Starred = false)
{
    public bool IsPending => Kind == NodeKind.Assistant && Status == ReplyStatus.Requested;

    // Where a new user message may go: under the root, a reply that has ended, or a merge node.
    public bool AcceptsMessages => Kind is NodeKind.Root or NodeKind.Merge || (Kind == NodeKind.Assistant && !IsPending);

    public static ConversationNode RootOf(ConversationStarted e) =>
        new(e.ConversationId, null, NodeKind.Root, "", ReplyStatus.None, null, [], e.At);

    public static ConversationNode UserMessage(Guid id, Guid parentId, string text, Guid? editOf, DateTimeOffset at) =>
        new(id, parentId, NodeKind.User, text, ReplyStatus.None, null, [], at, EditOf: editOf);

    public static ConversationNode Reply(Guid id, Guid parentId, ModelRef model, DateTimeOffset at) =>
        new(id, parentId, NodeKind.Assistant, "", ReplyStatus.Requested, model, [], at);

    public static ConversationNode Merged(Guid id, Guid parentId, string text, IReadOnlyList<Guid> sources, DateTimeOffset at) =>
        new(id, parentId, NodeKind.Merge, text, ReplyStatus.None, null, [], at, MergedFrom: sources);
}
