using Npgsql;
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

    // Plain columns read with Npgsql: building a JSON object per row in SQL and parsing it back cost about twice
    // as much for 5,000 nodes (docs/benchmarks.md, tree-page).
    public static async Task<IReadOnlyList<OutlineNode>> OutlineAsync(this NpgsqlDataSource db, Guid conversationId, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand($"""
            select id, parent_id, (data->>'Kind')::int, (data->>'Status')::int, left(data->>'Text', {ExcerptLength}),
                   data->'Model'->>'Model', coalesce((data->>'Hidden')::boolean, false), data->>'Label',
                   coalesce((data->>'Starred')::boolean, false), data->>'Children'
            from {SambungStore.Schema}.mt_doc_treenode where conversation_id = $1
            """);
        cmd.Parameters.AddWithValue(conversationId);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var nodes = new List<OutlineNode>();
        while (await reader.ReadAsync(ct))
            nodes.Add(new OutlineNode
            {
                Id = reader.GetGuid(0),
                ParentId = reader.IsDBNull(1) ? null : reader.GetGuid(1),
                Kind = (NodeKind)reader.GetInt32(2),
                Status = (ReplyStatus)reader.GetInt32(3),
                Excerpt = reader.IsDBNull(4) ? "" : reader.GetString(4),
                Model = reader.IsDBNull(5) ? null : reader.GetString(5),
                Hidden = reader.GetBoolean(6),
                Label = reader.IsDBNull(7) ? null : reader.GetString(7),
                Starred = reader.GetBoolean(8),
                Children = reader.IsDBNull(9) ? [] : Ids(reader.GetString(9)),
            });
        return nodes;
    }

    // ["id", "id", ...] as stored: every other piece between quotes is an id.
    private static List<Guid> Ids(string json) =>
        [.. json.Split('"').Where((_, i) => i % 2 == 1).Select(Guid.Parse)];
}
