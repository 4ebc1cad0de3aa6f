namespace Sambung.Events.Conversations;

// "Restore this version": the conversation as it was after event Version comes back as the branch shown, with the
// settings that shaped its replies then. Nothing that happened since is removed.
public sealed record RestoreVersion(Guid ConversationId, long Version, string By) : IUserCommand;

// "Ask several models": one message, then a sibling reply for each model under it, each generated on its own.
public sealed record AskSeveralModels(
    Guid ConversationId, Guid MessageId, Guid? ParentId, string Text, IReadOnlyList<ModelRequest> Models, string By) : IUserCommand;

public sealed record ModelRequest(ModelRef Model, Guid ReplyId);

// "Ask several models" from the new-chat page: the conversation starts with the message (as the new-chat form
// starts it, the first model chosen being the chat's model), and every chosen model is asked for a reply under it.
public sealed record StartWithSeveralModels(
    Guid ConversationId, string OwnerId, Guid MessageId, string Text, IReadOnlyList<ModelRequest> Models, string? SystemPrompt = null);

// Refusal codes of these decisions; the History feature turns them into messages ("History.Refusal.<code>").
public static class HistoryRefusals
{
    public const string NotAVersion = "NotAVersion";
    public const string NoModels = "NoModels";
    public const string TooManyModels = "TooManyModels";
    public const string SameModelTwice = "SameModelTwice";
}

public static class HistoryDecisions
{
    // How many models one message may ask at once ("Ask several models").
    public const int MaxModels = 4;

    // `past` is the same stream folded up to cmd.Version (null when the version does not exist).
    // Restoring means, precisely:
    //  1. the leaf that was active then becomes the active leaf again (BranchSelected). Nodes are never removed
    //     (edits and regenerations add siblings, hiding is reversible, only a purge erases and then there is no
    //     history left), so that leaf always still exists: nothing is copied, and the tree never shows a message
    //     twice or claims a model said something twice;
    //  2. any node on its path hidden since is shown again (BranchRestored, top down);
    //  3. the model, system prompt and generation parameters of then come back (the next reply on the restored
    //     branch is asked as it would have been then); title, pin, folder and tags are organisation, not the
    //     conversation, and stay as they are.
    // What was appended after the version stays in the tree, one "Next version" away; sending from the restored
    // branch grows a new branch beside it. Restoring the current state again changes nothing.
    public static Decision Decide(RestoreVersion cmd, Conversation state, Conversation? past, DateTimeOffset now)
    {
        if (Writable(state) is { } closed) return closed;
        if (past is null || cmd.Version < 1 || cmd.Version > state.Version || past.Version != cmd.Version)
            return Decision.Refuse(HistoryRefusals.NotAVersion);
        var leaf = past.ActiveLeafId;
        if (!state.Has(leaf)) return Decision.Refuse(Refusals.NotFound);

        var events = new List<object>();
        foreach (var node in state.PathTo(leaf).Where(n => n.Hidden))
            events.Add(new BranchRestored(node.Id, node.ParentId!.Value, cmd.By, now));
        if (leaf != state.ActiveLeafId) events.Add(new BranchSelected(leaf, cmd.By, now));
        if (past.Model != state.Model) events.Add(new ModelChanged(past.Model, cmd.By, now));
        if (past.SystemPrompt != state.SystemPrompt) events.Add(new SystemPromptChanged(past.SystemPrompt, cmd.By, now));
        if (past.Parameters != state.Parameters) events.Add(new GenerationParametersChanged(past.Parameters, cmd.By, now));
        return events.Count == 0 ? Decision.NoChange : Decision.Accept([.. events]);
    }

    // One UserMessagePosted, then one ReplyRequested per model in the order chosen, all under that message; each
    // reply's prompt is the same path. The last one asked is the active leaf, as after any reply request, until
    // the person picks one ("Continue with this one" selects it).
    public static Decision Decide(AskSeveralModels cmd, Conversation state, DateTimeOffset now)
    {
        if (Writable(state) is { } closed) return closed;
        if (state.Find(cmd.MessageId) is { } existing)
            return existing.Kind == NodeKind.User && existing.Text == cmd.Text.Trim() ? Decision.NoChange : Decision.Refuse(Refusals.IdAlreadyUsed);
        if (Invalid(cmd.Models, cmd.MessageId, state.Has) is { } refused) return refused;
        if (string.IsNullOrWhiteSpace(cmd.Text)) return Decision.Refuse(Refusals.EmptyMessage);
        if (cmd.Text.Length > ConversationDecisions.MaxMessageLength) return Decision.Refuse(Refusals.MessageTooLong);

        var parentId = cmd.ParentId ?? state.ActiveLeafId;
        if (state.Find(parentId) is not { } parent || !state.IsVisible(parentId)) return Decision.Refuse(Refusals.UnknownParent);
        if (parent.IsPending) return Decision.Refuse(Refusals.ReplyInProgress);
        if (!parent.AcceptsMessages) return Decision.Refuse(Refusals.UnknownParent);

        // The prompt of every reply: the path down to the new message (as PostUserMessage asks for one reply).
        var context = new PromptContext(cmd.MessageId, state.PathTo(parentId).Count + 1, state.SystemPrompt);
        return Decision.Accept([
            new UserMessagePosted(cmd.MessageId, parentId, cmd.Text.Trim(), cmd.By, now),
            .. cmd.Models.Select(m => new ReplyRequested(m.ReplyId, cmd.MessageId, m.Model, state.Parameters, context, cmd.By, now)),
        ]);
    }

    // The new-chat page's "Ask several models": the events the new-chat form's StartConversation decides (with the
    // first model as the chat's model and its reply), then a ReplyRequested for each other model, with the same
    // prompt context, under the same message. Repeating it (a double click) changes nothing.
    public static Decision Decide(StartWithSeveralModels cmd, Conversation? state, DateTimeOffset now)
    {
        if (state is not null)
            return state.OwnerId == cmd.OwnerId && state.Has(cmd.MessageId) ? Decision.NoChange : Decision.Refuse(Refusals.IdAlreadyUsed);
        if (Invalid(cmd.Models, cmd.MessageId, id => id == cmd.ConversationId) is { } refused) return refused;

        var first = cmd.Models[0];
        var start = ConversationDecisions.Decide(
            new StartConversation(cmd.ConversationId, cmd.OwnerId, cmd.MessageId, cmd.Text, first.ReplyId, first.Model, cmd.SystemPrompt), null, now);
        if (start.IsRefused) return start;
        var asked = start.Events.OfType<ReplyRequested>().Single();
        return Decision.Accept([.. start.Events, .. cmd.Models.Skip(1).Select(m => asked with { NodeId = m.ReplyId, Model = m.Model })]);
    }

    // The models and reply ids of one "Ask several models": 1 to MaxModels models, each once, each reply id new.
    private static Decision? Invalid(IReadOnlyList<ModelRequest> models, Guid messageId, Func<Guid, bool> taken)
    {
        if (models.Count == 0) return Decision.Refuse(HistoryRefusals.NoModels);
        if (models.Count > MaxModels) return Decision.Refuse(HistoryRefusals.TooManyModels);
        if (models.Select(m => m.Model).Distinct().Count() != models.Count) return Decision.Refuse(HistoryRefusals.SameModelTwice);
        var replyIds = models.Select(m => m.ReplyId).ToList();
        if (replyIds.Distinct().Count() != replyIds.Count || replyIds.Contains(messageId) || replyIds.Any(taken))
            return Decision.Refuse(Refusals.IdAlreadyUsed);
        if (models.Any(m => string.IsNullOrWhiteSpace(m.Model.Provider) || string.IsNullOrWhiteSpace(m.Model.Model)))
            return Decision.Refuse(Refusals.InvalidModel);
        return null;
    }

    private static Decision? Writable(Conversation state) => state.Lifecycle switch
    {
        ConversationLifecycle.Trashed => Decision.Refuse(Refusals.InTrash),
        ConversationLifecycle.Purged => Decision.Refuse(Refusals.NotFound),
        _ => null,
    };
}
