using Sambung.Events.Conversations;

namespace Sambung.Web.Features.Chats;

// What the composer form posts. Ids are made when the form is rendered, so a repeated post (double click,
// network retry) carries the same ids and changes nothing the second time.
public sealed class ComposerForm
{
    public Guid? ConversationId { get; set; }
    public Guid MessageId { get; set; }
    public Guid ReplyId { get; set; }
    public Guid? ParentId { get; set; }
    public long? ExpectedVersion { get; set; }
    public string? Text { get; set; }

    // Set by the prompt library when a prompt fills the composer: the reply records which template (and version)
    // produced it. A claim about the user's own message, so it is not looked up here (readers scope it).
    public Guid? TemplateId { get; set; }
    public int? TemplateVersion { get; set; }
    public TemplateRef? Template => TemplateId is { } id && id != Guid.Empty && TemplateVersion is > 0 ? new(id, TemplateVersion.Value) : null;
}

public sealed record ComposerModel(
    Guid? ConversationId, Guid? ParentId, long Version, string Text = "", string? Error = null, bool OutOfBand = false)
{
    public Guid MessageId { get; } = Guid.CreateVersion7();
    public Guid ReplyId { get; } = Guid.CreateVersion7();
    public TemplateRef? Template { get; init; }
    public bool StartsConversation => ConversationId is null;
    public string Action => ConversationId is { } id ? $"/c/{id}?handler=Send" : "/?handler=Start";

    public static ComposerModel ForNewChat(string text = "", string? error = null) => new(null, null, 0, text, error);
}
