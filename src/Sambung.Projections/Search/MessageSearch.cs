using Npgsql;

namespace Sambung.Projections.Search;

public sealed record MessageHit(Guid NodeId, Guid ConversationId, string Kind, string Snippet, DateTimeOffset CreatedAt);

// Full-text search over the owner's messages, newest first, with the matching words marked in the snippet.
public static class MessageSearch
{
    public const int MaxQueryLength = 500;

    public static async Task<IReadOnlyList<MessageHit>> SearchAsync(
        NpgsqlDataSource db, string ownerId, string query, int limit, CancellationToken ct, bool includeTrash = false)
    {
        query = query.Trim();
        if (query.Length == 0) return [];
        if (query.Length > MaxQueryLength) query = query[..MaxQueryLength];

        await using var cmd = db.CreateCommand($"""
            with q as (
                select websearch_to_tsquery('simple', $2) || websearch_to_tsquery('english', $2) || websearch_to_tsquery('indonesian', $2) as q
            )
            select s.node_id, s.conversation_id, s.kind,
                   ts_headline('simple', s.body, q.q, 'StartSel=[[, StopSel=]], MaxWords=30, MinWords=10, MaxFragments=1'),
                   s.created_at
            from {SambungStore.Schema}.{MessageSearchProjection.TableName} s, q
            where s.owner_id = $1 and s.tsv @@ q.q and ($4 or not s.in_trash)
            order by s.created_at desc
            limit $3
            """);
        cmd.Parameters.AddWithValue(ownerId);
        cmd.Parameters.AddWithValue(query);
        cmd.Parameters.AddWithValue(limit);
        cmd.Parameters.AddWithValue(includeTrash);
        var hits = new List<MessageHit>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            hits.Add(new(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3), reader.GetFieldValue<DateTimeOffset>(4)));
        return hits;
    }
}
