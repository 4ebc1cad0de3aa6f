using System.Collections.Immutable;

namespace Sambung.Events.Conversations;

// The write model of one conversation: just what decisions need (the tree's shape, statuses, texts for building
// what the model sees), folded from the stream. Immutable: each Apply returns a new value.
public sealed record Conversation(
    Guid Id,
    string OwnerId,
    string Title,
    ModelRef Model,
    string? SystemPrompt,
    GenerationParameters Parameters,
    Guid ActiveLeafId,
    ImmutableDictionary<Guid, ConversationNode> Nodes,
    long Version)
{
    public ConversationNode Root => Nodes[Id];

    public static Conversation Create(ConversationStarted e) => new(
        e.ConversationId, e.OwnerId, e.Title, e.Model, e.SystemPrompt, new GenerationParameters(), e.ConversationId,
        ImmutableDictionary<Guid, ConversationNode>.Empty.Add(e.ConversationId, ConversationNode.RootOf(e)),
        Version: 1);

    public static Conversation? Fold(IEnumerable<object> events)
    {
        Conversation? state = null;
        foreach (var e in events)
            state = state is null ? (e is ConversationStarted started ? Create(started) : null) : state.Apply(e);
        return state;
    }

    public Conversation Apply(object e) => (e switch
    {
        UserMessagePosted x => AddChild(x.ParentId, ConversationNode.UserMessage(x.NodeId, x.ParentId, x.Text, x.At))
            with { ActiveLeafId = x.NodeId },
        ReplyRequested x => AddChild(x.ParentId, ConversationNode.Reply(x.NodeId, x.ParentId, x.Model, x.At))
            with { ActiveLeafId = x.NodeId },
        ReplyCompleted x => Update(x.NodeId, n => n with { Text = x.Text, Status = ReplyStatus.Completed }),
        ReplyFailed x => Update(x.NodeId, n => n with { Text = x.PartialText, Status = ReplyStatus.Failed }),
        ReplyStopped x => Update(x.NodeId, n => n with { Text = x.PartialText, Status = ReplyStatus.Stopped }),
        FallbackTaken x => Update(x.NodeId, n => n with { Model = x.To }),
        _ => this,
    }) with { Version = Version + 1 };

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

    public bool Has(Guid nodeId) => Nodes.ContainsKey(nodeId);

    public ConversationNode? Find(Guid nodeId) => Nodes.GetValueOrDefault(nodeId);

    private Conversation AddChild(Guid parentId, ConversationNode child) => this with
    {
        Nodes = Nodes
            .SetItem(child.Id, child)
            .SetItem(parentId, Nodes[parentId] with { Children = Nodes[parentId].Children.Add(child.Id) }),
    };

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
    DateTimeOffset CreatedAt)
{
    public bool IsPending => Kind == NodeKind.Assistant && Status == ReplyStatus.Requested;

    public static ConversationNode RootOf(ConversationStarted e) =>
        new(e.ConversationId, null, NodeKind.Root, "", ReplyStatus.None, null, [], e.At);

    public static ConversationNode UserMessage(Guid id, Guid parentId, string text, DateTimeOffset at) =>
        new(id, parentId, NodeKind.User, text, ReplyStatus.None, null, [], at);

    public static ConversationNode Reply(Guid id, Guid parentId, ModelRef model, DateTimeOffset at) =>
        new(id, parentId, NodeKind.Assistant, "", ReplyStatus.Requested, model, [], at);
}
