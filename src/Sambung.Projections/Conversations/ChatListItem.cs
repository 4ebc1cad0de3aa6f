using Marten.Events.Aggregation;
using Sambung.Events.Conversations;

namespace Sambung.Projections.Conversations;

// One row of the sidebar. Inline, so the list is current as soon as a write returns.
public sealed record ChatListItem
{
    public Guid Id { get; init; }
    public string OwnerId { get; init; } = "";
    public string Title { get; init; } = "";
    public bool Pinned { get; init; }
    public Guid? FolderId { get; init; }
    public List<string> Tags { get; init; } = [];
    public bool InTrash { get; init; }
    public DateTimeOffset? DeletedAt { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public string Snippet { get; init; } = "";
    public int MessageCount { get; init; }
    public string Model { get; init; } = "";

    // Every model that was asked for a reply in this chat, or took over as a fallback ("provider/model"), so search
    // can filter by model and provider. Chats written before this list existed only have Model.
    public List<string> Models { get; init; } = [];
    public long Version { get; set; }
}

public sealed partial class ChatListItemProjection : SingleStreamProjection<ChatListItem, Guid>
{
    public const int SnippetLength = 120;

    public ChatListItem Create(ConversationStarted e) => new()
    {
        Id = e.ConversationId, OwnerId = e.OwnerId, Title = e.Title, CreatedAt = e.At, UpdatedAt = e.At, Model = e.Model.ToString(),
    };

    public ChatListItem Apply(UserMessagePosted e, ChatListItem item) => Said(item, e.Text, e.At);
    public ChatListItem Apply(UserMessageEdited e, ChatListItem item) => Said(item, e.Text, e.At);
    public ChatListItem Apply(ReplyCompleted e, ChatListItem item) => Said(item, e.Text, e.At);
    public ChatListItem Apply(ConversationRenamed e, ChatListItem item) => item with { Title = e.Title };
    public ChatListItem Apply(ConversationPinned e, ChatListItem item) => item with { Pinned = true };
    public ChatListItem Apply(ConversationUnpinned e, ChatListItem item) => item with { Pinned = false };
    public ChatListItem Apply(ConversationMovedToFolder e, ChatListItem item) => item with { FolderId = e.FolderId };
    public ChatListItem Apply(ModelChanged e, ChatListItem item) => item with { Model = e.Model.ToString() };
    public ChatListItem Apply(ReplyRequested e, ChatListItem item) => Used(item, e.Model);
    public ChatListItem Apply(FallbackTaken e, ChatListItem item) => Used(item, e.To);

    public ChatListItem Apply(ConversationTagged e, ChatListItem item) =>
        item with { Tags = [.. item.Tags.Append(e.Tag).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase)] };

    public ChatListItem Apply(ConversationUntagged e, ChatListItem item) =>
        item with { Tags = [.. item.Tags.Where(t => !string.Equals(t, e.Tag, StringComparison.OrdinalIgnoreCase))] };

    public ChatListItem Apply(ConversationDeleted e, ChatListItem item) => item with { InTrash = true, DeletedAt = e.At };
    public ChatListItem Apply(ConversationRestored e, ChatListItem item) => item with { InTrash = false, DeletedAt = null };

    public bool ShouldDelete(ConversationPurged e) => true;

    private static ChatListItem Used(ChatListItem item, ModelRef model) =>
        item.Models.Contains(model.ToString()) ? item : item with { Models = [.. item.Models, model.ToString()] };

    private static ChatListItem Said(ChatListItem item, string text, DateTimeOffset at) =>
        item with { UpdatedAt = at, Snippet = Snip(text), MessageCount = item.MessageCount + 1 };

    private static string Snip(string text)
    {
        var flat = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return flat.Length <= SnippetLength ? flat : flat[..SnippetLength] + "…";
    }
}
