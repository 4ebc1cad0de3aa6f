namespace Sambung.Events.Conversations;

// One event stream per conversation; the stream id is the conversation id and also the id of the tree's root node.
// Events are past-tense records that carry who acted and everything a read model needs, so projections never
// call anything else. "At" is the decision's clock (the command's now), not a projection's.

public enum NodeKind { Root, User, Assistant, Merge }

public enum ReplyStatus { None, Requested, Completed, Failed, Stopped, Interrupted }

// Fallbacks: the chat's own fallback chain, tried in order when its model fails before the first token (empty: the
// instance's chain).
public sealed record GenerationParameters(double? Temperature = null, int? MaxTokens = null, double? TopP = null, IReadOnlyList<ModelRef>? Fallbacks = null)
{
    public IReadOnlyList<ModelRef> FallbackModels => Fallbacks ?? [];

    // By value, the chain included (a list compares by reference), so saving unchanged settings changes nothing.
    public bool Equals(GenerationParameters? other) =>
        other is not null && Temperature == other.Temperature && MaxTokens == other.MaxTokens && TopP == other.TopP
        && FallbackModels.SequenceEqual(other.FallbackModels);

    public override int GetHashCode() => HashCode.Combine(Temperature, MaxTokens, TopP, FallbackModels.Count);
}

public sealed record ModelRef(string Provider, string Model)
{
    public override string ToString() => $"{Provider}/{Model}";
}

public sealed record TemplateRef(Guid TemplateId, int Version);

// Exactly what the model will see: the PathLength nodes on the path that ends at PathEnd (followed up through the
// parents; nodes never move, so the two name every id on the path without listing them: a list made each reply
// event grow with the conversation), the system prompt and any template. Conversation.PromptPath expands it.
public sealed record PromptContext(Guid PathEnd, int PathLength, string? SystemPrompt, TemplateRef? Template = null);

public sealed record TokenUsage(long InputTokens, long OutputTokens, bool Estimated = false);

public sealed record ConversationStarted(
    Guid ConversationId, string OwnerId, string Title, ModelRef Model, string? SystemPrompt, DateTimeOffset At);

public sealed record UserMessagePosted(Guid NodeId, Guid ParentId, string Text, string By, DateTimeOffset At);

// Copy, on a reply's request and end: a reply copied into this chat (a fork, an import), not asked of a provider
// here; usage does not count it again.
public sealed record ReplyRequested(
    Guid NodeId, Guid ParentId, ModelRef Model, GenerationParameters Parameters, PromptContext Context,
    string By, DateTimeOffset At, Guid? RegenerationOf = null, bool Copy = false);

// The end of a reply carries whose it is and which model answered, so usage needs nothing but this event.
public sealed record ReplyCompleted(
    Guid NodeId, string Text, string FinishReason, TokenUsage Usage, TimeSpan? TimeToFirstToken, TimeSpan Duration,
    string ProviderModelId, DateTimeOffset At, string OwnerId = "", ModelRef? Model = null, bool Copy = false);

public sealed record ReplyFailed(
    Guid NodeId, string ErrorKind, string Message, string PartialText, DateTimeOffset At, string OwnerId = "", ModelRef? Model = null,
    TimeSpan? Duration = null, bool Copy = false)
{
    // The kind of failure that means "nothing was generating it any more" (a restart), not a provider error.
    public const string InterruptedKind = "interrupted";

    public ReplyStatus Status => ErrorKind == InterruptedKind ? ReplyStatus.Interrupted : ReplyStatus.Failed;
}

public sealed record ReplyStopped(Guid NodeId, string PartialText, string By, DateTimeOffset At, ModelRef? Model = null, bool Copy = false);

// OwnerId: whose chat, so usage can count fallbacks per person (events written before it was added have "").
public sealed record FallbackTaken(Guid NodeId, ModelRef From, ModelRef To, string Reason, DateTimeOffset At, string OwnerId = "");

// Editing never overwrites: the edit is a new user node beside the original (same parent), which stays.
public sealed record UserMessageEdited(Guid NodeId, Guid ParentId, Guid EditOf, string Text, string By, DateTimeOffset At);

// Makes the path to this leaf the one the page shows (switching versions, picking a compared reply).
public sealed record BranchSelected(Guid LeafId, string By, DateTimeOffset At);

public enum MergeStrategy { Verbatim, Summary }

// Merging branch B into branch A: a node under A's leaf carrying B's turns (verbatim or summarised) as context
// for what follows, with where they came from.
public sealed record BranchesMerged(
    Guid NodeId, Guid ParentId, Guid SourceLeafId, IReadOnlyList<Guid> SourceNodeIds, MergeStrategy Strategy, string Text,
    string By, DateTimeOffset At);

// Reversible pruning: a hidden node (and what grows under it) is out of the way but restorable.
public sealed record BranchHidden(Guid NodeId, Guid ParentId, string By, DateTimeOffset At);

public sealed record BranchRestored(Guid NodeId, Guid ParentId, string By, DateTimeOffset At);

public sealed record ConversationRenamed(string Title, bool Automatic, string By, DateTimeOffset At);

public sealed record ConversationPinned(string By, DateTimeOffset At);

public sealed record ConversationUnpinned(string By, DateTimeOffset At);

public sealed record ConversationMovedToFolder(Guid? FolderId, string By, DateTimeOffset At);

public sealed record ConversationTagged(string Tag, string By, DateTimeOffset At);

public sealed record ConversationUntagged(string Tag, string By, DateTimeOffset At);

public sealed record ModelChanged(ModelRef Model, string By, DateTimeOffset At);

public sealed record SystemPromptChanged(string? SystemPrompt, string By, DateTimeOffset At);

public sealed record GenerationParametersChanged(GenerationParameters Parameters, string By, DateTimeOffset At);

// To Trash: restorable until purged (by the user, after 30 days, or with the account).
public sealed record ConversationDeleted(string By, DateTimeOffset At);

public sealed record ConversationRestored(string By, DateTimeOffset At);

// The content is gone: every text in this stream is masked and the stream archived. Only the fact remains.
public sealed record ConversationPurged(string By, string Reason, IReadOnlyList<Guid> NodeIds, DateTimeOffset At);

// Marks that make a branch easy to find again in the tree: a label (empty: removed) and a star. They name the node
// the branch runs through; nothing else about the node changes.
public sealed record BranchLabeled(Guid NodeId, string Label, string By, DateTimeOffset At);

public sealed record BranchStarred(Guid NodeId, string By, DateTimeOffset At);

public sealed record BranchUnstarred(Guid NodeId, string By, DateTimeOffset At);

// A fork's second event (after its ConversationStarted): where it was copied from. The copied path follows as
// ordinary message and reply events under new node ids (ConversationDecisions.ForkedNodeId).
public sealed record ConversationForked(Guid SourceConversationId, Guid SourceNodeId, string By, DateTimeOffset At);
