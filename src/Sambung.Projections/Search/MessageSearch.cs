using System.Text;
using Npgsql;

namespace Sambung.Projections.Search;

public sealed record MessageHit(Guid NodeId, Guid ConversationId, string Kind, string Snippet, DateTimeOffset CreatedAt);

// Full-text search over the owner's messages, newest first, with the matching words marked in the snippet.
public static class MessageSearch
{
    public const int MaxQueryLength = 500;
    public const int MinTitleQueryLength = 3;

    public static async Task<IReadOnlyList<MessageHit>> SearchAsync(
        NpgsqlDataSource db, string ownerId, string query, int limit, CancellationToken ct, bool includeTrash = false,
        SearchFilter? filter = null)
    {
        query = Clean(query);
        if (query.Length == 0) return [];
        filter ??= SearchFilter.None;

        await using var cmd = db.CreateCommand();
        cmd.Parameters.AddWithValue(ownerId);
        cmd.Parameters.AddWithValue(query);
        cmd.Parameters.AddWithValue(limit);
        cmd.Parameters.AddWithValue(includeTrash);
        var sql = new StringBuilder($"""
            with q as (
                select websearch_to_tsquery('simple', $2) || websearch_to_tsquery('english', $2) || websearch_to_tsquery('indonesian', $2) as q
            )
            select s.node_id, s.conversation_id, s.kind,
                   ts_headline('simple', s.body, q.q, 'StartSel=[[, StopSel=]], MaxWords=30, MinWords=10, MaxFragments=1'),
                   s.created_at
            from {SambungStore.Schema}.{MessageSearchProjection.TableName} s
            """);
        // The chat list row only when the filter needs it: the plain search stays on one table.
        if (filter.NarrowsChats) sql.Append($" join {SambungStore.Schema}.mt_doc_chatlistitem c on c.id = s.conversation_id");
        sql.Append(", q where s.owner_id = $1 and s.tsv @@ q.q and ($4 or not s.in_trash)");
        filter.AppendChatConditions(sql, cmd);
        filter.AppendDateConditions(sql, cmd, "s.created_at");
        sql.Append(" order by s.created_at desc limit $3");
        cmd.CommandText = sql.ToString();

        var hits = new List<MessageHit>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            hits.Add(new(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3), reader.GetFieldValue<DateTimeOffset>(4)));
        return hits;
    }

    // The owner's chats (not in Trash) whose title contains the query, most recently active first.
    public static async Task<IReadOnlyList<Guid>> TitlesAsync(
        NpgsqlDataSource db, string ownerId, string query, int limit, CancellationToken ct, SearchFilter? filter = null)
    {
        query = Clean(query);
        // Shorter than a trigram, a substring match cannot use the title index and would read every chat.
        if (query.Length < MinTitleQueryLength) return [];
        filter ??= SearchFilter.None;

        await using var cmd = db.CreateCommand();
        cmd.Parameters.AddWithValue(ownerId);
        cmd.Parameters.AddWithValue("%" + SearchFilter.Like(query) + "%");
        cmd.Parameters.AddWithValue(limit);
        var sql = new StringBuilder($"""
            select c.id from {SambungStore.Schema}.mt_doc_chatlistitem c
            where c.owner_id = $1 and not coalesce(c.in_trash, false) and c.data->>'Title' ilike $2
            """);
        filter.AppendChatConditions(sql, cmd);
        filter.AppendDateConditions(sql, cmd, "c.updated_at");
        sql.Append(" order by c.updated_at desc limit $3");
        cmd.CommandText = sql.ToString();

        var ids = new List<Guid>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) ids.Add(reader.GetGuid(0));
        return ids;
    }

    private static string Clean(string query)
    {
        query = query.Trim();
        return query.Length > MaxQueryLength ? query[..MaxQueryLength] : query;
    }
}
