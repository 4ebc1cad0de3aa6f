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
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public string Snippet { get; init; } = "";
    public int MessageCount { get; init; }
    public string Model { get; init; } = "";
    public long Version { get; set; }
}

public sealed partial class ChatListItemProjection : SingleStreamProjection<ChatListItem, Guid>
{
    public const int SnippetLength = 120;

    public ChatListItem Create(ConversationStarted e) => new()
    {
        Id = e.ConversationId, OwnerId = e.OwnerId, Title = e.Title, CreatedAt = e.At, UpdatedAt = e.At,
        Model = e.Model.ToString(),
    };

    public ChatListItem Apply(UserMessagePosted e, ChatListItem item) =>
        item with { UpdatedAt = e.At, Snippet = Snip(e.Text), MessageCount = item.MessageCount + 1 };

    public ChatListItem Apply(ReplyCompleted e, ChatListItem item) =>
        item with { UpdatedAt = e.At, Snippet = Snip(e.Text), MessageCount = item.MessageCount + 1 };

    private static string Snip(string text)
    {
        var flat = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return flat.Length <= SnippetLength ? flat : flat[..SnippetLength] + "…";
    }
}
