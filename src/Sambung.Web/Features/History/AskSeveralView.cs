using Sambung.Events.Conversations;
using Sambung.Projections.Conversations;
using Sambung.Web.Features.Chats;
using Sambung.Web.Features.Providers;

namespace Sambung.Web.Features.History;

// The "Ask several models" form: the message (carried over from the composer), the models to tick (at most
// HistoryDecisions.MaxModels) and the ids the posts will use, made when the form is rendered so a repeated post
// changes nothing.
public sealed record AskSeveralView(
    Guid ConversationId, Guid? ParentId, long? ExpectedVersion, string Text, ModelChoice Models, IReadOnlyList<string> Chosen,
    bool Panel, string? Error = null)
{
    public Guid MessageId { get; init; } = Guid.CreateVersion7();
    public IReadOnlyList<Guid> ReplyIds { get; init; } = [.. Enumerable.Range(0, HistoryDecisions.MaxModels).Select(_ => Guid.CreateVersion7())];
    // On the new-chat page the form starts the conversation (ConversationId is the id it will have, made with the
    // form like the other ids) with a plain post that opens the new chat; in a chat, htmx adds the columns in place.
    public bool NewChat { get; init; }
    public string SendAction => NewChat ? "/?handler=SendSeveral" : $"/c/{ConversationId}/several?handler=Send";
}

// The replies of one "Ask several models" side by side, each with "Continue with this one".
public sealed record SeveralColumnsModel(Guid ConversationId, IReadOnlyList<TreeNode> Replies);

// What a successful "Ask several models" post adds to the page: the message, then the replies side by side (each
// streaming on its own), with a fresh composer and the panel emptied, out of band.
public sealed record SeveralRepliesModel(TreeNode Message, IReadOnlyList<TreeNode> Replies, ComposerModel Composer);
