using Marten;
using Sambung.Events.Conversations;

namespace Sambung.Projections.Conversations;

// A node on the active path with its place among its visible siblings (for "Previous version 2 / 3 Next version").
public sealed record PathNode(TreeNode Node, int Position, int Count, Guid? Previous, Guid? Next);

public sealed record ConversationPage(ConversationTree Tree, IReadOnlyList<PathNode> ActivePath)
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

    // The messages from the root down to the active leaf, walked up through parent ids in one recursive query,
    // so the cost follows the path's length, not the size of the whole tree.
    public static async Task<IReadOnlyList<PathNode>> ActivePathAsync(this IQuerySession session, ConversationTree tree, CancellationToken ct)
    {
        var nodes = await PathWithRootAsync(session, tree.Id, tree.ActiveLeafId, ct);
        var path = new List<PathNode>(nodes.Count);
        for (var i = 1; i < nodes.Count; i++)
        {
            var siblings = nodes[i - 1].VisibleChildren();
            var at = Math.Max(0, siblings.IndexOf(nodes[i].Id));
            path.Add(new(nodes[i], at + 1, Math.Max(1, siblings.Count),
                at > 0 ? siblings[at - 1] : null, at + 1 < siblings.Count ? siblings[at + 1] : null));
        }
        return path;
    }

    // The messages from the first one down to the given node (without the root).
    public static async Task<IReadOnlyList<TreeNode>> PathToAsync(this IQuerySession session, Guid conversationId, Guid leafId, CancellationToken ct) =>
        (await PathWithRootAsync(session, conversationId, leafId, ct)).Where(n => n.Kind != NodeKind.Root).ToList();

    private static async Task<IReadOnlyList<TreeNode>> PathWithRootAsync(IQuerySession session, Guid conversationId, Guid leafId, CancellationToken ct)
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
        return nodes;
    }

    public static async Task<ConversationPage?> LoadPageAsync(this IQuerySession session, Guid id, string ownerId, CancellationToken ct) =>
        await session.FindTreeAsync(id, ownerId, ct) is { } tree ? new ConversationPage(tree, await session.ActivePathAsync(tree, ct)) : null;

    public static async Task<IReadOnlyList<ChatListItem>> RecentChatsAsync(this IQuerySession session, string ownerId, int take, CancellationToken ct) =>
        await session.Query<ChatListItem>()
            .Where(x => x.OwnerId == ownerId && !x.InTrash)
            .OrderByDescending(x => x.Pinned).ThenByDescending(x => x.UpdatedAt)
            .Take(take)
            .ToListAsync(ct);
}
