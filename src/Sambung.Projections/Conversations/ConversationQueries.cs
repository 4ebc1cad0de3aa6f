using Marten;

namespace Sambung.Projections.Conversations;

public sealed record ConversationPage(ConversationTree Tree, IReadOnlyList<TreeNode> ActivePath);

public static class ConversationQueries
{
    // Owner-scoped: another user's conversation is indistinguishable from a missing one.
    public static async Task<ConversationTree?> FindTreeAsync(this IQuerySession session, Guid id, string ownerId, CancellationToken ct)
    {
        var tree = await session.LoadAsync<ConversationTree>(id, ct);
        return tree is not null && tree.OwnerId == ownerId ? tree : null;
    }

    // The messages from the root down to the active leaf, walked up through parent ids in one recursive query,
    // so the cost follows the path's length, not the size of the whole tree.
    public static async Task<IReadOnlyList<TreeNode>> ActivePathAsync(this IQuerySession session, ConversationTree tree, CancellationToken ct) =>
        await PathToAsync(session, tree.Id, tree.ActiveLeafId, ct);

    public static async Task<IReadOnlyList<TreeNode>> PathToAsync(this IQuerySession session, Guid conversationId, Guid leafId, CancellationToken ct)
    {
        var table = $"{SambungStore.Schema}.mt_doc_treenode";
        var nodes = await session.QueryAsync<TreeNode>($"""
            with recursive path(id, parent_id, depth) as (
                select id, parent_id, 0 from {table} where id = ? and conversation_id = ?
                union all
                select n.id, n.parent_id, p.depth + 1 from {table} n join path p on n.id = p.parent_id
            )
            select d.data from path p join {table} d on d.id = p.id order by p.depth desc
            """, ct, leafId, conversationId);
        return nodes.Where(n => n.Kind != Events.Conversations.NodeKind.Root).ToList();
    }

    public static async Task<ConversationPage?> LoadPageAsync(this IQuerySession session, Guid id, string ownerId, CancellationToken ct) =>
        await session.FindTreeAsync(id, ownerId, ct) is { } tree ? new ConversationPage(tree, await session.ActivePathAsync(tree, ct)) : null;

    public static async Task<IReadOnlyList<ChatListItem>> RecentChatsAsync(this IQuerySession session, string ownerId, int take, CancellationToken ct) =>
        await session.Query<ChatListItem>()
            .Where(x => x.OwnerId == ownerId)
            .OrderByDescending(x => x.Pinned).ThenByDescending(x => x.UpdatedAt)
            .Take(take)
            .ToListAsync(ct);
}
