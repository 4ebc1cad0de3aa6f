namespace Sambung.Events.Conversations;

public sealed record StartConversation(
    Guid ConversationId, string OwnerId, Guid MessageId, string Text, Guid ReplyId, ModelRef Model,
    string? SystemPrompt = null, GenerationParameters? Parameters = null);

public sealed record PostUserMessage(
    Guid ConversationId, Guid MessageId, Guid? ParentId, string Text, Guid ReplyId, string By);

public sealed record CompleteReply(
    Guid ConversationId, Guid NodeId, string Text, string FinishReason, TokenUsage Usage, TimeSpan? TimeToFirstToken,
    TimeSpan Duration, string ProviderModelId);

public sealed record FailReply(Guid ConversationId, Guid NodeId, string ErrorKind, string Message, string PartialText);

public sealed record StopReply(Guid ConversationId, Guid NodeId, string PartialText, string By);

// Pure decisions: (command, state, now) -> events. No I/O, no clock, no id generation: ids come in the command,
// which is also what makes a repeated command (a double click) a no-op.
public static class ConversationDecisions
{
    public const int MaxMessageLength = 100_000;
    public const int MaxTitleLength = 80;

    public static Decision Decide(StartConversation cmd, Conversation? state, DateTimeOffset now)
    {
        if (state is not null)
            return state.OwnerId == cmd.OwnerId && state.Has(cmd.MessageId) ? Decision.NoChange : Decision.Refuse(Refusals.IdAlreadyUsed);
        if (ValidateText(cmd.Text) is { } refusal) return Decision.Refuse(refusal);

        var started = new ConversationStarted(cmd.ConversationId, cmd.OwnerId, TitleFrom(cmd.Text), cmd.Model, cmd.SystemPrompt, now);
        var posted = new UserMessagePosted(cmd.MessageId, cmd.ConversationId, cmd.Text.Trim(), cmd.OwnerId, now);
        var requested = new ReplyRequested(cmd.ReplyId, cmd.MessageId, cmd.Model, cmd.Parameters ?? new(),
            new PromptContext([cmd.MessageId], cmd.SystemPrompt), cmd.OwnerId, now);
        return Decision.Accept(started, posted, requested);
    }

    public static Decision Decide(PostUserMessage cmd, Conversation state, DateTimeOffset now)
    {
        if (state.Find(cmd.MessageId) is { } existing)
            return existing.Kind == NodeKind.User && existing.Text == cmd.Text.Trim() ? Decision.NoChange : Decision.Refuse(Refusals.IdAlreadyUsed);
        if (state.Has(cmd.ReplyId)) return Decision.Refuse(Refusals.IdAlreadyUsed);
        if (ValidateText(cmd.Text) is { } refusal) return Decision.Refuse(refusal);

        var parentId = cmd.ParentId ?? state.ActiveLeafId;
        if (state.Find(parentId) is not { } parent || parent.Kind == NodeKind.User) return Decision.Refuse(Refusals.UnknownParent);
        if (parent.IsPending) return Decision.Refuse(Refusals.ReplyInProgress);

        var path = state.PathTo(parentId).Select(n => n.Id).Append(cmd.MessageId).ToList();
        return Decision.Accept(
            new UserMessagePosted(cmd.MessageId, parentId, cmd.Text.Trim(), cmd.By, now),
            new ReplyRequested(cmd.ReplyId, cmd.MessageId, state.Model, state.Parameters,
                new PromptContext(path, state.SystemPrompt), cmd.By, now));
    }

    public static Decision Decide(CompleteReply cmd, Conversation state, DateTimeOffset now) =>
        PendingReply(state, cmd.NodeId) ?? Decision.Accept(new ReplyCompleted(cmd.NodeId, cmd.Text, cmd.FinishReason,
            cmd.Usage, cmd.TimeToFirstToken, cmd.Duration, cmd.ProviderModelId, now));

    public static Decision Decide(FailReply cmd, Conversation state, DateTimeOffset now) =>
        PendingReply(state, cmd.NodeId) ?? Decision.Accept(new ReplyFailed(cmd.NodeId, cmd.ErrorKind, cmd.Message, cmd.PartialText, now));

    public static Decision Decide(StopReply cmd, Conversation state, DateTimeOffset now) =>
        PendingReply(state, cmd.NodeId) ?? Decision.Accept(new ReplyStopped(cmd.NodeId, cmd.PartialText, cmd.By, now));

    // A reply can end once; ending it again (a late completion after Stop, a retried message) changes nothing.
    private static Decision? PendingReply(Conversation state, Guid nodeId) => state.Find(nodeId) switch
    {
        null => Decision.Refuse(Refusals.NotFound),
        { Kind: not NodeKind.Assistant } => Decision.Refuse(Refusals.NotAReply),
        { IsPending: false } => Decision.NoChange,
        _ => null,
    };

    private static string? ValidateText(string text) =>
        string.IsNullOrWhiteSpace(text) ? Refusals.EmptyMessage
        : text.Length > MaxMessageLength ? Refusals.MessageTooLong
        : null;

    public static string TitleFrom(string text)
    {
        var firstLine = text.Trim().Split('\n', 2)[0].Trim();
        return firstLine.Length <= MaxTitleLength ? firstLine : firstLine[..(MaxTitleLength - 1)].TrimEnd() + "…";
    }
}
