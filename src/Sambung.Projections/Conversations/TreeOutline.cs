using Marten;
using Sambung.Events.Conversations;

namespace Sambung.Projections.Conversations;

// What the tree page needs of one node: its place, kind, model, marks and the start of its text. Read straight from
// the TreeNode documents, cut down in SQL, so a 5,000-node tree moves kilobytes of excerpts, not megabytes of text.
public sealed record OutlineNode
{
    public Guid Id { get; init; }
    public Guid? ParentId { get; init; }
    public NodeKind Kind { get; init; }
    public ReplyStatus Status { get; init; }
    public string Excerpt { get; init; } = "";
    public string? Model { get; init; }
    public bool Hidden { get; init; }
    public string? Label { get; init; }
    public bool Starred { get; init; }
    public List<Guid> Children { get; init; } = [];
}

public static class TreeOutline
{
    // How much of a node's text the outline carries (the page shortens it further, on a word boundary).
    public const int ExcerptLength = 80;

    public static async Task<IReadOnlyList<OutlineNode>> OutlineAsync(this IQuerySession session, Guid conversationId, CancellationToken ct)
    {
        var table = $"{SambungStore.Schema}.mt_doc_treenode";
        return await session.QueryAsync<OutlineNode>($$"""
            select jsonb_build_object(
                'Id', id, 'ParentId', parent_id, 'Kind', data->'Kind', 'Status', data->'Status',
                'Excerpt', left(data->>'Text', {{ExcerptLength}}), 'Model', data->'Model'->'Model',
                'Hidden', coalesce(data->'Hidden', 'false'::jsonb), 'Label', data->'Label',
                'Starred', coalesce(data->'Starred', 'false'::jsonb), 'Children', data->'Children')
            from {{table}} where conversation_id = ?
            """, ct, conversationId);
    }
}
