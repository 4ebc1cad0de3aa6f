using Marten;
using Sambung.Events.Conversations;

namespace Sambung.Projections.Conversations;

// A node on the active path with its place among its visible siblings (for "Previous version 2 / 3 Next version").
public sealed record PathNode(TreeNode Node, int Position, int Count, Guid? Previous, Guid? Next);

// The newest part of the active path (PageSize messages at most). Earlier is the first message shown when older
// ones exist: the next page ends just above it.
public sealed record ConversationPage(ConversationTree Tree, IReadOnlyList<PathNode> ActivePath, Guid? Earlier = null)
{
    public IEnumerable<TreeNode> Messages => ActivePath.Select(p => p.Node);
}

public static class ConversationQueries
{
    // Owner-scoped: another user's conversation is indistinguishable from a missing one.
    public static async Task<ConversationTree?> FindTreeAsync(this IQuerySession session, Guid id, string ownerId, CancellationToken ct)
    {
        var tree = await session.LoadAsync<ConversationTree>(id, ct);
        return tree is not null && tree.OwnerId == ownerId ? tree : null;
    }

    // How many messages the chat page shows at once; older ones load on request.
    public const int PageSize = 100;

    // Deeper than any real conversation: a walk that goes on longer has met a cycle and stops instead of hanging.
    private const int MaxDepth = 1_000_000;

    // The messages from the root down to the active leaf, walked up through parent ids in one recursive query,
    // so the cost follows the path's length, not the size of the whole tree.
    public static async Task<IReadOnlyList<PathNode>> ActivePathAsync(this IQuerySession session, ConversationTree tree, CancellationToken ct) =>
        WithSiblings(await WalkUpAsync(session, tree.Id, tree.ActiveLeafId, MaxDepth, ct));

    // The messages from the first one down to the given node (without the root).
    public static async Task<IReadOnlyList<TreeNode>> PathToAsync(this IQuerySession session, Guid conversationId, Guid leafId, CancellationToken ct) =>
        (await WalkUpAsync(session, conversationId, leafId, MaxDepth, ct)).Where(n => n.Kind != NodeKind.Root).ToList();

    // One page of the active path (or of the path to `leaf`, another branch's end): the newest PageSize messages, or
    // the PageSize messages just above `before` (a message on the path, from an earlier page). Reads PageSize + 1
    // nodes whatever the conversation's length: the extra one is the parent the first message's versions are
    // counted in.
    public static async Task<ConversationPage?> LoadPageAsync(this IQuerySession session, Guid id, string ownerId, CancellationToken ct,
        Guid? before = null, int pageSize = PageSize, Guid? leaf = null)
    {
        if (await session.FindTreeAsync(id, ownerId, ct) is not { } tree) return null;
        var nodes = await WalkUpAsync(session, id, before ?? leaf ?? tree.ActiveLeafId, pageSize + (before is null ? 1 : 2), ct);
        if (before is not null)
        {
            if (nodes.Count == 0 || nodes[^1].Id != before) return new ConversationPage(tree, []);
            nodes = nodes.Take(nodes.Count - 1).ToList();
        }
        var path = WithSiblings(nodes);
        var earlier = nodes.Count > 0 && nodes[0].Kind != NodeKind.Root && path.Count > 0 ? path[0].Node.Id : (Guid?)null;
        return new ConversationPage(tree, path, earlier);
    }

    // Each node after the first with its place among its parent's visible children (the first is only the parent).
    private static List<PathNode> WithSiblings(IReadOnlyList<TreeNode> nodes)
    {
        var path = new List<PathNode>(Math.Max(0, nodes.Count - 1));
        for (var i = 1; i < nodes.Count; i++)
        {
            var siblings = nodes[i - 1].VisibleChildren();
            var at = Math.Max(0, siblings.IndexOf(nodes[i].Id));
            path.Add(new(nodes[i], at + 1, Math.Max(1, siblings.Count),
                at > 0 ? siblings[at - 1] : null, at + 1 < siblings.Count ? siblings[at + 1] : null));
        }
        return path;
    }

    // Up to `count` nodes from the given one towards the root, returned oldest first.
    private static async Task<IReadOnlyList<TreeNode>> WalkUpAsync(IQuerySession session, Guid conversationId, Guid fromId, int count, CancellationToken ct)
    {
        var table = $"{SambungStore.Schema}.mt_doc_treenode";
        return await session.QueryAsync<TreeNode>($"""
            with recursive path(id, parent_id, depth) as (
                select id, parent_id, 0 from {table} where id = ? and conversation_id = ?
                union all
                select n.id, n.parent_id, p.depth + 1 from {table} n join path p on n.id = p.parent_id
                where p.depth + 1 < ?
            )
            select d.data from path p join {table} d on d.id = p.id order by p.depth desc
            """, ct, fromId, conversationId, count);
    }

    // One page of the sidebar: pinned first, then the most recently active, keyset-paginated on (pinned, updated_at,
    // id) so that page 2,000 costs what page 1 does.
    public static async Task<IReadOnlyList<ChatListItem>> ChatsPageAsync(this IQuerySession session, string ownerId, ChatListCursor? after,
        int take, CancellationToken ct, ChatListFilter? filter = null)
    {
        var sql = new System.Text.StringBuilder($"select data from {SambungStore.Schema}.mt_doc_chatlistitem where owner_id = ? and coalesce(in_trash, false) = false");
        var parameters = new List<object> { ownerId };
        if (filter?.Folder is { } folder)
        {
            sql.Append(" and data->>'FolderId' = ?");
            parameters.Add(folder.ToString());
        }
        if (filter?.Tag is { } tag)
        {
            sql.Append(" and jsonb_exists(data->'Tags', ?)");
            parameters.Add(tag);
        }
        if (after is { } c)
        {
            sql.Append(" and (pinned, updated_at, id) < (?, ?, ?)");
            parameters.AddRange([c.Pinned, c.UpdatedAt, c.Id]);
        }
        sql.Append(" order by pinned desc, updated_at desc, id desc limit ?");
        parameters.Add(take);
        return await session.QueryAsync<ChatListItem>(sql.ToString(), ct, [.. parameters]);
    }

    // The chats in Trash, most recently deleted first.
    public static async Task<IReadOnlyList<ChatListItem>> TrashAsync(this IQuerySession session, string ownerId, int take, CancellationToken ct) =>
        await session.Query<ChatListItem>()
            .Where(x => x.OwnerId == ownerId && x.InTrash)
            .OrderByDescending(x => x.DeletedAt)
            .Take(take)
            .ToListAsync(ct);
}

// Only the chats of one folder, or with one tag (its exact spelling).
public sealed record ChatListFilter(Guid? Folder, string? Tag);

// Where a page of the chat list ends: the next page starts after this row.
public sealed record ChatListCursor(bool Pinned, DateTimeOffset UpdatedAt, Guid Id)
{
    public static ChatListCursor Of(ChatListItem item) => new(item.Pinned, item.UpdatedAt, item.Id);

    public override string ToString() => $"{(Pinned ? 1 : 0)}_{UpdatedAt.UtcTicks}_{Id:N}";

    public static ChatListCursor? Parse(string? text)
    {
        var parts = (text ?? "").Split('_');
        return parts.Length == 3 && parts[0] is "0" or "1" && long.TryParse(parts[1], out var ticks)
               && ticks is >= 0 and <= 3155378975999999999 && Guid.TryParseExact(parts[2], "N", out var id)
            ? new(parts[0] == "1", new DateTimeOffset(ticks, TimeSpan.Zero), id)
            : null;
    }
}

// The sidebar's headings: Pinned, then by the day of the last activity, in the reader's time zone.
public enum ChatListGroup { Pinned, Today, Yesterday, Previous7Days, Previous30Days, Older }

public static class ChatListGroups
{
    public static ChatListGroup Of(ChatListItem item, DateTimeOffset now, TimeZoneInfo zone)
    {
        if (item.Pinned) return ChatListGroup.Pinned;
        var today = TimeZoneInfo.ConvertTime(now, zone).Date;
        var days = (today - TimeZoneInfo.ConvertTime(item.UpdatedAt, zone).Date).Days;
        return days switch
        {
            <= 0 => ChatListGroup.Today,
            1 => ChatListGroup.Yesterday,
            <= 7 => ChatListGroup.Previous7Days,
            <= 30 => ChatListGroup.Previous30Days,
            _ => ChatListGroup.Older,
        };
    }
}
