namespace Sambung.Events.Conversations;

public sealed record StartConversation(
    Guid ConversationId, string OwnerId, Guid MessageId, string Text, Guid ReplyId, ModelRef Model,
    string? SystemPrompt = null, GenerationParameters? Parameters = null, TemplateRef? Template = null);

public sealed record PostUserMessage(
    Guid ConversationId, Guid MessageId, Guid? ParentId, string Text, Guid ReplyId, string By, TemplateRef? Template = null) : IUserCommand;

public sealed record EditUserMessage(Guid ConversationId, Guid EditOf, Guid NewMessageId, string Text, Guid ReplyId, string By) : IUserCommand;

public sealed record RegenerateReply(Guid ConversationId, Guid ReplyOf, Guid NewReplyId, string By, ModelRef? Model = null) : IUserCommand;

public sealed record CompleteReply(
    Guid ConversationId, Guid NodeId, string Text, string FinishReason, TokenUsage Usage, TimeSpan? TimeToFirstToken,
    TimeSpan Duration, string ProviderModelId) : IConversationCommand;

public sealed record FailReply(Guid ConversationId, Guid NodeId, string ErrorKind, string Message, string PartialText, TimeSpan? Duration = null) : IConversationCommand;

public sealed record StopReply(Guid ConversationId, Guid NodeId, string PartialText, string By) : IUserCommand;

public sealed record TakeFallback(Guid ConversationId, Guid NodeId, ModelRef To, string Reason) : IConversationCommand;

public sealed record SelectBranch(Guid ConversationId, Guid NodeId, string By) : IUserCommand;

public sealed record MergeBranches(
    Guid ConversationId, Guid TargetLeafId, Guid SourceLeafId, MergeStrategy Strategy, Guid MergeNodeId, string By,
    string? Summary = null) : IUserCommand;

public sealed record HideBranch(Guid ConversationId, Guid NodeId, string By) : IUserCommand;

public sealed record RestoreBranch(Guid ConversationId, Guid NodeId, string By) : IUserCommand;

public sealed record RenameConversation(Guid ConversationId, string Title, string By, bool Automatic = false) : IUserCommand;

public sealed record PinConversation(Guid ConversationId, bool Pinned, string By) : IUserCommand;

public sealed record MoveConversationToFolder(Guid ConversationId, Guid? FolderId, string By) : IUserCommand;

public sealed record TagConversation(Guid ConversationId, string Tag, string By) : IUserCommand;

public sealed record UntagConversation(Guid ConversationId, string Tag, string By) : IUserCommand;

public sealed record ChangeModel(Guid ConversationId, ModelRef Model, string By) : IUserCommand;

public sealed record ChangeSystemPrompt(Guid ConversationId, string? SystemPrompt, string By) : IUserCommand;

public sealed record ChangeGenerationParameters(Guid ConversationId, GenerationParameters Parameters, string By) : IUserCommand;

public sealed record DeleteConversation(Guid ConversationId, string By) : IUserCommand;

public sealed record RestoreConversation(Guid ConversationId, string By) : IUserCommand;

public sealed record PurgeConversation(Guid ConversationId, string By, string Reason) : IUserCommand;

// A command to one conversation. User commands carry who acts: only the owner may; system commands (the end of a
// reply) come from the server itself.
public interface IConversationCommand
{
    Guid ConversationId { get; }
}

public interface IUserCommand : IConversationCommand
{
    string By { get; }
}

// Pure decisions: (command, state, now) -> events. No I/O, no clock, no id generation: ids come in the command,
// which is also what makes a repeated command (a double click) a no-op.
public static partial class ConversationDecisions
{
    public const int MaxMessageLength = 100_000;
    public const int MaxTitleLength = 80;
    public const int MaxRenameLength = 200;
    public const int MaxSystemPromptLength = 20_000;
    public const int MaxTagLength = 40;
    public const int MaxTagsPerConversation = 20;

    public static Decision Decide(StartConversation cmd, Conversation? state, DateTimeOffset now)
    {
        if (state is not null)
            return state.OwnerId == cmd.OwnerId && state.Has(cmd.MessageId) ? Decision.NoChange : Decision.Refuse(Refusals.IdAlreadyUsed);
        if (ValidateText(cmd.Text) is { } refusal) return Decision.Refuse(refusal);
        if (cmd.SystemPrompt?.Length > MaxSystemPromptLength) return Decision.Refuse(Refusals.SystemPromptTooLong);

        var started = new ConversationStarted(cmd.ConversationId, cmd.OwnerId, TitleFrom(cmd.Text), cmd.Model, cmd.SystemPrompt, now);
        var posted = new UserMessagePosted(cmd.MessageId, cmd.ConversationId, cmd.Text.Trim(), cmd.OwnerId, now);
        var requested = new ReplyRequested(cmd.ReplyId, cmd.MessageId, cmd.Model, cmd.Parameters ?? new(),
            new PromptContext(cmd.MessageId, 1, cmd.SystemPrompt, cmd.Template), cmd.OwnerId, now);
        return Decision.Accept(started, posted, requested);
    }

    public static Decision Decide(PostUserMessage cmd, Conversation state, DateTimeOffset now)
    {
        if (Writable(state) is { } closed) return closed;
        if (state.Find(cmd.MessageId) is { } existing)
            return existing.Kind == NodeKind.User && existing.Text == cmd.Text.Trim() ? Decision.NoChange : Decision.Refuse(Refusals.IdAlreadyUsed);
        if (state.Has(cmd.ReplyId)) return Decision.Refuse(Refusals.IdAlreadyUsed);
        if (ValidateText(cmd.Text) is { } refusal) return Decision.Refuse(refusal);

        var parentId = cmd.ParentId ?? state.ActiveLeafId;
        if (state.Find(parentId) is not { } parent || !state.IsVisible(parentId)) return Decision.Refuse(Refusals.UnknownParent);
        if (parent.IsPending) return Decision.Refuse(Refusals.ReplyInProgress);
        if (!parent.AcceptsMessages) return Decision.Refuse(Refusals.UnknownParent);

        return Decision.Accept(
            new UserMessagePosted(cmd.MessageId, parentId, cmd.Text.Trim(), cmd.By, now),
            RequestReply(state, cmd.ReplyId, cmd.MessageId, PathIds(state, parentId, cmd.MessageId), state.Model, cmd.By, now, template: cmd.Template));
    }

    public static Decision Decide(EditUserMessage cmd, Conversation state, DateTimeOffset now)
    {
        if (Writable(state) is { } closed) return closed;
        if (state.Find(cmd.NewMessageId) is { } existing)
            return existing.EditOf == cmd.EditOf && existing.Text == cmd.Text.Trim() ? Decision.NoChange : Decision.Refuse(Refusals.IdAlreadyUsed);
        if (state.Has(cmd.ReplyId)) return Decision.Refuse(Refusals.IdAlreadyUsed);
        if (state.Find(cmd.EditOf) is not { Kind: NodeKind.User } original) return Decision.Refuse(Refusals.NotAUserMessage);
        if (ValidateText(cmd.Text) is { } refusal) return Decision.Refuse(refusal);

        var parentId = original.ParentId!.Value;
        return Decision.Accept(
            new UserMessageEdited(cmd.NewMessageId, parentId, cmd.EditOf, cmd.Text.Trim(), cmd.By, now),
            RequestReply(state, cmd.ReplyId, cmd.NewMessageId, PathIds(state, parentId, cmd.NewMessageId), state.Model, cmd.By, now));
    }

    public static Decision Decide(RegenerateReply cmd, Conversation state, DateTimeOffset now)
    {
        if (Writable(state) is { } closed) return closed;
        if (state.Find(cmd.NewReplyId) is { } existing)
            return existing.Kind == NodeKind.Assistant && existing.ParentId == state.Find(cmd.ReplyOf)?.ParentId
                ? Decision.NoChange : Decision.Refuse(Refusals.IdAlreadyUsed);
        if (state.Find(cmd.ReplyOf) is not { Kind: NodeKind.Assistant } original) return Decision.Refuse(Refusals.NotAReply);
        if (original.IsPending) return Decision.Refuse(Refusals.ReplyInProgress);

        var parentId = original.ParentId!.Value;
        return Decision.Accept(RequestReply(state, cmd.NewReplyId, parentId, PathIds(state, parentId), cmd.Model ?? state.Model, cmd.By, now,
            regenerationOf: cmd.ReplyOf));
    }

    public static Decision Decide(CompleteReply cmd, Conversation state, DateTimeOffset now) =>
        PendingReply(state, cmd.NodeId) ?? Decision.Accept(new ReplyCompleted(cmd.NodeId, cmd.Text, cmd.FinishReason,
            cmd.Usage, cmd.TimeToFirstToken, cmd.Duration, cmd.ProviderModelId, now, state.OwnerId, state.Nodes[cmd.NodeId].Model));

    public static Decision Decide(FailReply cmd, Conversation state, DateTimeOffset now) =>
        PendingReply(state, cmd.NodeId) ?? Decision.Accept(new ReplyFailed(cmd.NodeId, cmd.ErrorKind, cmd.Message, cmd.PartialText, now,
            state.OwnerId, state.Nodes[cmd.NodeId].Model, cmd.Duration));

    public static Decision Decide(StopReply cmd, Conversation state, DateTimeOffset now) =>
        PendingReply(state, cmd.NodeId) ?? Decision.Accept(new ReplyStopped(cmd.NodeId, cmd.PartialText, cmd.By, now, state.Nodes[cmd.NodeId].Model));

    public static Decision Decide(TakeFallback cmd, Conversation state, DateTimeOffset now)
    {
        if (PendingReply(state, cmd.NodeId) is { } notPending) return notPending;
        var from = state.Nodes[cmd.NodeId].Model!;
        return from == cmd.To ? Decision.NoChange : Decision.Accept(new FallbackTaken(cmd.NodeId, from, cmd.To, cmd.Reason, now, state.OwnerId));
    }

    public static Decision Decide(SelectBranch cmd, Conversation state, DateTimeOffset now)
    {
        if (Writable(state) is { } closed) return closed;
        if (!state.Has(cmd.NodeId) || cmd.NodeId == state.Id) return Decision.Refuse(Refusals.NotFound);
        if (!state.IsVisible(cmd.NodeId)) return Decision.Refuse(Refusals.BranchHidden);
        var leaf = state.LeafUnder(cmd.NodeId);
        return leaf == state.ActiveLeafId ? Decision.NoChange : Decision.Accept(new BranchSelected(leaf, cmd.By, now));
    }

    public static Decision Decide(MergeBranches cmd, Conversation state, DateTimeOffset now)
    {
        if (Writable(state) is { } closed) return closed;
        if (state.Find(cmd.MergeNodeId) is { } existing)
            return existing.Kind == NodeKind.Merge && existing.ParentId == cmd.TargetLeafId ? Decision.NoChange : Decision.Refuse(Refusals.IdAlreadyUsed);
        if (state.Find(cmd.TargetLeafId) is not { } target || state.Find(cmd.SourceLeafId) is null)
            return Decision.Refuse(Refusals.NotFound);
        if (!state.IsVisible(cmd.TargetLeafId) || !state.IsVisible(cmd.SourceLeafId)) return Decision.Refuse(Refusals.BranchHidden);
        if (target.IsPending || state.Nodes[cmd.SourceLeafId].IsPending) return Decision.Refuse(Refusals.ReplyInProgress);
        if (!target.AcceptsMessages) return Decision.Refuse(Refusals.UnknownParent);

        // B's turns: what lies on B's path after the point where it left A's.
        var targetPath = state.PathTo(cmd.TargetLeafId).Select(n => n.Id).ToHashSet();
        var turns = state.PathTo(cmd.SourceLeafId).Where(n => !targetPath.Contains(n.Id)).ToList();
        if (turns.Count == 0) return Decision.Refuse(Refusals.NothingToMerge);

        string text;
        if (cmd.Strategy == MergeStrategy.Summary)
        {
            if (string.IsNullOrWhiteSpace(cmd.Summary)) return Decision.Refuse(Refusals.EmptyMessage);
            text = cmd.Summary.Trim();
        }
        else text = Transcript(turns);
        if (text.Length > MaxMessageLength * 4) return Decision.Refuse(Refusals.MessageTooLong);

        return Decision.Accept(new BranchesMerged(cmd.MergeNodeId, cmd.TargetLeafId, cmd.SourceLeafId, turns.Select(n => n.Id).ToList(),
            cmd.Strategy, text, cmd.By, now));
    }

    public static Decision Decide(HideBranch cmd, Conversation state, DateTimeOffset now)
    {
        if (Writable(state) is { } closed) return closed;
        if (state.Find(cmd.NodeId) is not { ParentId: { } parentId } node) return Decision.Refuse(Refusals.NotFound);
        if (node.Hidden) return Decision.NoChange;
        if (node.IsPending) return Decision.Refuse(Refusals.ReplyInProgress);
        var alternative = state.VisibleChildren(parentId).LastOrDefault(n => n.Id != cmd.NodeId);
        if (alternative is null) return Decision.Refuse(Refusals.OnlyBranch);

        var hidden = new BranchHidden(cmd.NodeId, parentId, cmd.By, now);
        var onActivePath = state.ActivePath.Any(n => n.Id == cmd.NodeId);
        // Hiding the branch on screen moves the page to a sibling that stays.
        return onActivePath
            ? Decision.Accept(hidden, new BranchSelected(state.Apply(hidden).LeafUnder(alternative.Id), cmd.By, now))
            : Decision.Accept(hidden);
    }

    public static Decision Decide(RestoreBranch cmd, Conversation state, DateTimeOffset now)
    {
        if (Writable(state) is { } closed) return closed;
        if (state.Find(cmd.NodeId) is not { ParentId: { } parentId } node) return Decision.Refuse(Refusals.NotFound);
        return node.Hidden ? Decision.Accept(new BranchRestored(cmd.NodeId, parentId, cmd.By, now)) : Decision.NoChange;
    }

    public static Decision Decide(RenameConversation cmd, Conversation state, DateTimeOffset now)
    {
        if (Writable(state) is { } closed) return closed;
        var title = string.Join(' ', cmd.Title.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (title.Length == 0) return Decision.Refuse(Refusals.EmptyTitle);
        if (title.Length > MaxRenameLength) return Decision.Refuse(Refusals.TitleTooLong);
        // An automatic title never replaces one the user chose.
        if (title == state.Title || (cmd.Automatic && state.TitleSetByUser)) return Decision.NoChange;
        return Decision.Accept(new ConversationRenamed(title, cmd.Automatic, cmd.By, now));
    }

    public static Decision Decide(PinConversation cmd, Conversation state, DateTimeOffset now) =>
        Writable(state) ?? (state.Pinned == cmd.Pinned ? Decision.NoChange
            : Decision.Accept(cmd.Pinned ? new ConversationPinned(cmd.By, now) : new ConversationUnpinned(cmd.By, now)));

    public static Decision Decide(MoveConversationToFolder cmd, Conversation state, DateTimeOffset now) =>
        Writable(state) ?? (state.FolderId == cmd.FolderId ? Decision.NoChange
            : Decision.Accept(new ConversationMovedToFolder(cmd.FolderId, cmd.By, now)));

    public static Decision Decide(TagConversation cmd, Conversation state, DateTimeOffset now)
    {
        if (Writable(state) is { } closed) return closed;
        if (NormalizeTag(cmd.Tag) is not { } tag) return Decision.Refuse(Refusals.InvalidTag);
        if (state.Tags.Contains(tag)) return Decision.NoChange;
        if (state.Tags.Count >= MaxTagsPerConversation) return Decision.Refuse(Refusals.TooManyTags);
        return Decision.Accept(new ConversationTagged(tag, cmd.By, now));
    }

    public static Decision Decide(UntagConversation cmd, Conversation state, DateTimeOffset now)
    {
        if (Writable(state) is { } closed) return closed;
        return state.Tags.TryGetValue(cmd.Tag.Trim(), out var stored)
            ? Decision.Accept(new ConversationUntagged(stored, cmd.By, now))
            : Decision.NoChange;
    }

    public static Decision Decide(ChangeModel cmd, Conversation state, DateTimeOffset now)
    {
        if (Writable(state) is { } closed) return closed;
        if (string.IsNullOrWhiteSpace(cmd.Model.Provider) || string.IsNullOrWhiteSpace(cmd.Model.Model)) return Decision.Refuse(Refusals.InvalidModel);
        return state.Model == cmd.Model ? Decision.NoChange : Decision.Accept(new ModelChanged(cmd.Model, cmd.By, now));
    }

    public static Decision Decide(ChangeSystemPrompt cmd, Conversation state, DateTimeOffset now)
    {
        if (Writable(state) is { } closed) return closed;
        var prompt = string.IsNullOrWhiteSpace(cmd.SystemPrompt) ? null : cmd.SystemPrompt.Trim();
        if (prompt?.Length > MaxSystemPromptLength) return Decision.Refuse(Refusals.SystemPromptTooLong);
        return prompt == state.SystemPrompt ? Decision.NoChange : Decision.Accept(new SystemPromptChanged(prompt, cmd.By, now));
    }

    public static Decision Decide(ChangeGenerationParameters cmd, Conversation state, DateTimeOffset now)
    {
        if (Writable(state) is { } closed) return closed;
        var p = cmd.Parameters;
        if (p.Temperature is < 0 or > 2 || p.TopP is < 0 or > 1 || p.MaxTokens is < 1 or > 1_000_000
            || p.FallbackModels.Count > MaxFallbacks || p.FallbackModels.Distinct().Count() != p.FallbackModels.Count)
            return Decision.Refuse(Refusals.InvalidParameters);
        return p == state.Parameters ? Decision.NoChange : Decision.Accept(new GenerationParametersChanged(p, cmd.By, now));
    }

    public static Decision Decide(DeleteConversation cmd, Conversation state, DateTimeOffset now) => state.Lifecycle switch
    {
        ConversationLifecycle.Active => Decision.Accept(new ConversationDeleted(cmd.By, now)),
        ConversationLifecycle.Trashed => Decision.NoChange,
        _ => Decision.Refuse(Refusals.NotFound),
    };

    public static Decision Decide(RestoreConversation cmd, Conversation state, DateTimeOffset now) => state.Lifecycle switch
    {
        ConversationLifecycle.Trashed => Decision.Accept(new ConversationRestored(cmd.By, now)),
        ConversationLifecycle.Active => Decision.NoChange,
        _ => Decision.Refuse(Refusals.NotFound),
    };

    public static Decision Decide(PurgeConversation cmd, Conversation state, DateTimeOffset now)
    {
        if (state.Lifecycle == ConversationLifecycle.Purged) return Decision.NoChange;
        if (state.Nodes.Values.Any(n => n.IsPending)) return Decision.Refuse(Refusals.ReplyInProgress);
        return Decision.Accept(new ConversationPurged(cmd.By, cmd.Reason, state.Nodes.Keys.Where(id => id != state.Id).ToList(), now));
    }

    // One entry point for every command to an existing conversation.
    public static Decision Decide(IConversationCommand command, Conversation state, DateTimeOffset now) => command switch
    {
        PostUserMessage c => Decide(c, state, now),
        EditUserMessage c => Decide(c, state, now),
        RegenerateReply c => Decide(c, state, now),
        CompleteReply c => Decide(c, state, now),
        FailReply c => Decide(c, state, now),
        StopReply c => Decide(c, state, now),
        TakeFallback c => Decide(c, state, now),
        SelectBranch c => Decide(c, state, now),
        MergeBranches c => Decide(c, state, now),
        HideBranch c => Decide(c, state, now),
        RestoreBranch c => Decide(c, state, now),
        RenameConversation c => Decide(c, state, now),
        PinConversation c => Decide(c, state, now),
        MoveConversationToFolder c => Decide(c, state, now),
        TagConversation c => Decide(c, state, now),
        UntagConversation c => Decide(c, state, now),
        ChangeModel c => Decide(c, state, now),
        ChangeSystemPrompt c => Decide(c, state, now),
        ChangeGenerationParameters c => Decide(c, state, now),
        DeleteConversation c => Decide(c, state, now),
        RestoreConversation c => Decide(c, state, now),
        PurgeConversation c => Decide(c, state, now),
        LabelBranch c => Decide(c, state, now),
        StarBranch c => Decide(c, state, now),
        AskSeveralModels c => HistoryDecisions.Decide(c, state, now),
        // RestoreVersion is decided with the past state as well: HistoryDecisions.Decide(restore, state, past, now).
        RestoreVersion c => HistoryDecisions.Decide(c, state, null, now),
        _ => throw new ArgumentException($"No decision for {command.GetType().Name}", nameof(command)),
    };

    // How long a trashed conversation waits before it is purged automatically.
    public static readonly TimeSpan TrashRetention = TimeSpan.FromDays(30);

    public static bool IsDueForPurge(Conversation state, DateTimeOffset now) =>
        state.Lifecycle == ConversationLifecycle.Trashed && state.DeletedAt is { } deleted && now - deleted >= TrashRetention;

    // A chat's title until a better one is known: its first line, at most FirstWordsLength characters, cut after the
    // last whole word that fits (a single longer word is cut) and marked "…".
    public static string TitleFrom(string text)
    {
        var firstLine = text.Trim().Split('\n', 2)[0].Trim();
        if (firstLine.Length <= FirstWordsLength) return firstLine;
        var space = firstLine.LastIndexOf(' ', FirstWordsLength - 1);
        var cut = (space > 0 ? firstLine[..space] : firstLine[..(FirstWordsLength - 1)]).TrimEnd(' ', ',', ';', ':', '-', '.');
        return cut + "…";
    }

    public const int FirstWordsLength = 50;

    // How many models a chat's fallback chain may hold.
    public const int MaxFallbacks = 3;

    public static string? NormalizeTag(string tag)
    {
        var trimmed = string.Join(' ', tag.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return trimmed.Length is 0 or > MaxTagLength || trimmed.Any(char.IsControl) ? null : trimmed;
    }

    // A merge carried verbatim: the source turns as a transcript the model can read as context.
    public static string Transcript(IEnumerable<ConversationNode> turns) => string.Join("\n\n", turns
        .Where(n => n.Text.Length > 0)
        .Select(n => $"{(n.Kind == NodeKind.User ? "User" : "Assistant")}: {n.Text}"));

    private static ReplyRequested RequestReply(Conversation state, Guid replyId, Guid parentId, (Guid End, int Length) path, ModelRef model,
        string by, DateTimeOffset now, Guid? regenerationOf = null, TemplateRef? template = null) =>
        new(replyId, parentId, model, state.Parameters, new PromptContext(path.End, path.Length, state.SystemPrompt, template), by, now, regenerationOf);

    // The path to a node, or through it to a node this decision adds under it.
    private static (Guid End, int Length) PathIds(Conversation state, Guid to, Guid? then = null)
    {
        var length = state.PathTo(to).Count;
        return then is { } next ? (next, length + 1) : (to, length);
    }

    private static Decision? Writable(Conversation state) => state.Lifecycle switch
    {
        ConversationLifecycle.Trashed => Decision.Refuse(Refusals.InTrash),
        ConversationLifecycle.Purged => Decision.Refuse(Refusals.NotFound),
        _ => null,
    };

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
}
