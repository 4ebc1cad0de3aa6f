namespace Sambung.Events.Conversations;

// One event stream per conversation; the stream id is the conversation id and also the id of the tree's root node.
// Events are past-tense records that carry who acted and everything a read model needs, so projections never
// call anything else. "At" is the decision's clock (the command's now), not a projection's.

public enum NodeKind { Root, User, Assistant, Merge }

public enum ReplyStatus { None, Requested, Completed, Failed, Stopped, Interrupted }

public sealed record GenerationParameters(double? Temperature = null, int? MaxTokens = null, double? TopP = null);

public sealed record ModelRef(string Provider, string Model)
{
    public override string ToString() => $"{Provider}/{Model}";
}

public sealed record TemplateRef(Guid TemplateId, int Version);

// Exactly what the model will see: the node ids on the path (oldest first), the system prompt and any template.
public sealed record PromptContext(IReadOnlyList<Guid> PathNodeIds, string? SystemPrompt, TemplateRef? Template = null);

public sealed record TokenUsage(long InputTokens, long OutputTokens, bool Estimated = false);

public sealed record ConversationStarted(
    Guid ConversationId, string OwnerId, string Title, ModelRef Model, string? SystemPrompt, DateTimeOffset At);

public sealed record UserMessagePosted(Guid NodeId, Guid ParentId, string Text, string By, DateTimeOffset At);

public sealed record ReplyRequested(
    Guid NodeId, Guid ParentId, ModelRef Model, GenerationParameters Parameters, PromptContext Context,
    string By, DateTimeOffset At, Guid? RegenerationOf = null);

public sealed record ReplyCompleted(
    Guid NodeId, string Text, string FinishReason, TokenUsage Usage, TimeSpan? TimeToFirstToken, TimeSpan Duration,
    string ProviderModelId, DateTimeOffset At);

public sealed record ReplyFailed(Guid NodeId, string ErrorKind, string Message, string PartialText, DateTimeOffset At);

public sealed record ReplyStopped(Guid NodeId, string PartialText, string By, DateTimeOffset At);

public sealed record FallbackTaken(Guid NodeId, ModelRef From, ModelRef To, string Reason, DateTimeOffset At);
