using Marten;
using Sambung.Events;
using Sambung.Events.Conversations;

namespace Sambung.Benchmarks;

// Writes history fast: the events come from the real decisions, applied to an in-memory state, and many
// conversations are appended in one SaveChangesAsync.
//
// At most ONE exchange per conversation per SaveChangesAsync: TreeNodeProjection (multi-stream, inline) receives
// the events of one document in the order of its identity rules, not in append order, when they are appended in
// one SaveChangesAsync (with QuickWithServerTimestamps the events have no sequence numbers yet). A reply created
// by ReplyRequested and the next UserMessagePosted under it in one batch make Marten run Create(UserMessagePosted)
// for the reply's document: a node that is its own parent. The guard below refuses to script that.
public sealed class ScriptedConversation
{
    public static readonly ModelRef Model = new("openai", "gpt-4o-mini");

    private readonly List<object> pending = [];
    private readonly HashSet<Guid> nodesCreatedInBatch = [];
    private bool inStore;

    private ScriptedConversation(Conversation state) => State = state;

    public Conversation State { get; private set; }
    public Guid Id => State.Id;
    public string Owner => State.OwnerId;
    public int PendingEvents => pending.Count;
    public int EventsWritten { get; private set; }

    public static ScriptedConversation Start(Guid id, string owner, string text, string reply, DateTimeOffset at)
    {
        var replyId = Guid.CreateVersion7();
        var decision = ConversationDecisions.Decide(new StartConversation(id, owner, Guid.CreateVersion7(), text, replyId, Model), null, at);
        var conversation = new ScriptedConversation(Conversation.Fold(Accepted(decision))!);
        conversation.pending.AddRange(decision.Events);
        conversation.Complete(replyId, reply, at.AddSeconds(20));
        return conversation;
    }

    // A user message under the active leaf and its completed reply. Returns the user message's id.
    public Guid Exchange(string text, string reply, DateTimeOffset at)
    {
        var messageId = Guid.CreateVersion7();
        var replyId = Guid.CreateVersion7();
        Decide(new PostUserMessage(Id, messageId, null, text, replyId, Owner), at);
        Complete(replyId, reply, at.AddSeconds(20));
        return messageId;
    }

    // An edited version of a user message (a sibling branch, which becomes the active one) and its completed reply.
    public Guid Edit(Guid userMessageId, string text, string reply, DateTimeOffset at)
    {
        var messageId = Guid.CreateVersion7();
        var replyId = Guid.CreateVersion7();
        Decide(new EditUserMessage(Id, userMessageId, messageId, text, replyId, Owner), at);
        Complete(replyId, reply, at.AddSeconds(20));
        return messageId;
    }

    // A second reply to the same user message (a sibling branch).
    public void Regenerate(Guid replyId, string reply, DateTimeOffset at)
    {
        var newReplyId = Guid.CreateVersion7();
        Decide(new RegenerateReply(Id, replyId, newReplyId, Owner), at);
        Complete(newReplyId, reply, at.AddSeconds(20));
    }

    public void Decide(IConversationCommand command, DateTimeOffset at)
    {
        var decision = ConversationDecisions.Decide(command, State, at);
        foreach (var e in Accepted(decision))
        {
            var parent = e switch { UserMessagePosted x => x.ParentId, UserMessageEdited x => x.ParentId, BranchesMerged x => x.ParentId, _ => (Guid?)null };
            if (parent is { } id && nodesCreatedInBatch.Contains(id))
                throw new InvalidOperationException("A message under a node created in the same batch: flush first (see the class comment).");
            if (e is ReplyRequested requested) nodesCreatedInBatch.Add(requested.NodeId);
            State = State.Apply(e);
        }
        pending.AddRange(decision.Events);
    }

    // The id of the user message on the active path closest to the leaf.
    public Guid LastUserMessage() => State.ActivePath.Last(n => n.Kind == NodeKind.User).Id;

    public Guid LastReply() => State.ActivePath.Last(n => n.Kind == NodeKind.Assistant).Id;

    // Queues what was decided since the last flush: StartStream the first time (as ConversationStreams.Start does),
    // then Append with the expected version after the append (as ConversationStreams.Append does).
    public void Flush(IDocumentSession session)
    {
        if (pending.Count == 0) return;
        if (inStore) session.Events.Append(Id, State.Version, pending.ToArray());
        else session.Events.StartStream(Id, pending.ToArray());
        inStore = true;
        EventsWritten += pending.Count;
        pending.Clear();
        nodesCreatedInBatch.Clear();
    }

    private void Complete(Guid replyId, string text, DateTimeOffset at) =>
        Decide(new CompleteReply(Id, replyId, text, "stop", new TokenUsage(120 + text.Length / 3, text.Length / 4),
            TimeSpan.FromMilliseconds(350), TimeSpan.FromSeconds(4), "gpt-4o-mini-2024-07-18"), at);

    private static IReadOnlyList<object> Accepted(Decision decision) =>
        decision.IsRefused || decision.IsNoChange
            ? throw new InvalidOperationException($"The script's command was not accepted: {decision.Refusal ?? "no change"}")
            : decision.Events;
}
