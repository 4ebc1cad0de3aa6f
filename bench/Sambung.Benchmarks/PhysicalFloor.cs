using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Sambung.Events.Conversations;
using Sambung.Projections.Conversations;

namespace Sambung.Benchmarks;

// The least the database must do for a post: the same rows Marten writes, sent by hand. Per post, in one batch in
// one transaction: the stream's version, the two event rows, and one upsert per affected document (the
// conversation header, its chat-list row, three tree nodes: the new message, its parent and the new reply) and the
// two search rows. JSON is serialized before the clock starts, so only the database work is timed.
public sealed class PhysicalFloor(BenchContext ctx)
{
    public const string Schema = "bench_floor";

    public sealed record Post(Guid ConversationId, string Owner, Guid ReplyId, long VersionBefore, IReadOnlyList<object> Events);

    public async Task CreateTablesAsync(IEnumerable<Guid> conversations)
    {
        await ctx.ExecAsync($"""
            drop schema if exists {Schema} cascade;
            create schema {Schema};
            create table {Schema}.streams (id uuid primary key, version bigint not null, timestamp timestamptz not null default now());
            create table {Schema}.events (seq_id bigserial primary key, id uuid not null, stream_id uuid not null, version bigint not null,
                type text not null, data jsonb not null, headers jsonb, timestamp timestamptz not null default now(), unique (stream_id, version));
            create table {Schema}.conversation_tree (id uuid primary key, data jsonb not null, owner_id text not null, last_modified timestamptz not null default now());
            create table {Schema}.chat_list_item (id uuid primary key, data jsonb not null, owner_id text not null, updated_at timestamptz not null,
                last_modified timestamptz not null default now());
            create index on {Schema}.chat_list_item (owner_id);
            create table {Schema}.tree_node (id uuid primary key, data jsonb not null, conversation_id uuid not null, parent_id uuid,
                last_modified timestamptz not null default now());
            create index on {Schema}.tree_node (conversation_id);
            create index on {Schema}.tree_node (parent_id);
            create table {Schema}.message_search (like sambung.message_search including all);
            """);
        foreach (var id in conversations)
            await ctx.ExecAsync($"insert into {Schema}.streams (id, version) values ($1, 0)", id);
    }

    // One post's rows, serialized first, then written and timed.
    public async Task<TimeSpan> WriteTimedAsync(NpgsqlDataSource db, Post post)
    {
        var rows = Rows(post);
        return await Timing.TimeAsync(() => WriteAsync(db, rows));
    }

    private static async Task WriteAsync(NpgsqlDataSource db, List<(string Sql, NpgsqlParameter[] Values)> rows)
    {
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await using var batch = new NpgsqlBatch(conn, tx);
        foreach (var (sql, values) in rows)
        {
            var command = new NpgsqlBatchCommand(sql);
            foreach (var value in values) command.Parameters.Add(value.Clone());
            batch.BatchCommands.Add(command);
        }
        await batch.ExecuteNonQueryAsync();
        await tx.CommitAsync();
    }

    private static List<(string Sql, NpgsqlParameter[] Values)> Rows(Post post)
    {
        var posted = post.Events.OfType<UserMessagePosted>().Single();
        var requested = post.Events.OfType<ReplyRequested>().Single();
        var id = post.ConversationId;
        var rows = new List<(string, NpgsqlParameter[])>
        {
            ($"update {Schema}.streams set version = version + 2, timestamp = now() where id = $1", [Uuid(id)]),
        };
        var version = post.VersionBefore;
        foreach (var e in post.Events)
            rows.Add(($"insert into {Schema}.events (id, stream_id, version, type, data, headers) values ($1, $2, $3, $4, $5, $6)",
                [Uuid(Guid.CreateVersion7()), Uuid(id), new() { Value = ++version, NpgsqlDbType = NpgsqlDbType.Bigint },
                 Text(e.GetType().Name), Json(e), Json(new Dictionary<string, string> { ["source"] = "127.0.0.1" })]));

        var tree = new ConversationTree
        {
            Id = id, OwnerId = post.Owner, Title = ConversationDecisions.TitleFrom(posted.Text), Model = requested.Model,
            ActiveLeafId = requested.NodeId, NodeCount = (int)version, CreatedAt = posted.At, UpdatedAt = posted.At, Version = version,
        };
        rows.Add(($"insert into {Schema}.conversation_tree (id, data, owner_id) values ($1, $2, $3) " +
                  "on conflict (id) do update set data = excluded.data, last_modified = now()", [Uuid(id), Json(tree), Text(post.Owner)]));
        var item = new ChatListItem
        {
            Id = id, OwnerId = post.Owner, Title = tree.Title, CreatedAt = posted.At, UpdatedAt = posted.At,
            Snippet = posted.Text[..Math.Min(120, posted.Text.Length)], MessageCount = (int)version / 2, Model = requested.Model.ToString(), Version = version,
        };
        rows.Add(($"insert into {Schema}.chat_list_item (id, data, owner_id, updated_at) values ($1, $2, $3, $4) " +
                  "on conflict (id) do update set data = excluded.data, updated_at = excluded.updated_at, last_modified = now()",
            [Uuid(id), Json(item), Text(post.Owner), new() { Value = posted.At, NpgsqlDbType = NpgsqlDbType.TimestampTz }]));

        // The parent is the previous reply: a completed node about the size of the new one.
        var parent = new TreeNode
        {
            Id = posted.ParentId, ConversationId = id, OwnerId = post.Owner, Kind = NodeKind.Assistant, Text = posted.Text, Status = ReplyStatus.Completed,
            Model = requested.Model, Parameters = requested.Parameters, Context = requested.Context, Children = [posted.NodeId], CreatedAt = posted.At,
        };
        var message = new TreeNode
        {
            Id = posted.NodeId, ConversationId = id, OwnerId = post.Owner, ParentId = posted.ParentId, Kind = NodeKind.User, Text = posted.Text,
            Children = [requested.NodeId], CreatedAt = posted.At,
        };
        var reply = new TreeNode
        {
            Id = requested.NodeId, ConversationId = id, OwnerId = post.Owner, ParentId = requested.ParentId, Kind = NodeKind.Assistant,
            Status = ReplyStatus.Requested, Model = requested.Model, Parameters = requested.Parameters, Context = requested.Context, CreatedAt = requested.At,
        };
        foreach (var node in new[] { parent, message, reply })
            rows.Add(($"insert into {Schema}.tree_node (id, data, conversation_id, parent_id) values ($1, $2, $3, $4) " +
                      "on conflict (id) do update set data = excluded.data, last_modified = now()",
                [Uuid(node.Id), Json(node), Uuid(id), new() { Value = (object?)node.ParentId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid }]));

        foreach (var (nodeId, kind, body) in new[] { (posted.NodeId, "user", posted.Text), (requested.NodeId, "assistant", "") })
            rows.Add(($"insert into {Schema}.message_search (node_id, conversation_id, owner_id, kind, body, created_at) values ($1, $2, $3, $4, $5, $6) " +
                      "on conflict (node_id) do update set body = excluded.body, kind = excluded.kind",
                [Uuid(nodeId), Uuid(id), Text(post.Owner), Text(kind), Text(body), new() { Value = posted.At, NpgsqlDbType = NpgsqlDbType.TimestampTz }]));
        return rows;
    }

    private static NpgsqlParameter Uuid(Guid value) => new() { Value = value, NpgsqlDbType = NpgsqlDbType.Uuid };
    private static NpgsqlParameter Text(string value) => new() { Value = value, NpgsqlDbType = NpgsqlDbType.Text };
    private static NpgsqlParameter Json(object value) => new() { Value = JsonSerializer.Serialize(value, value.GetType()), NpgsqlDbType = NpgsqlDbType.Jsonb };
}
