using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using Sambung.Events.Conversations;
using Npgsql;
using Weasel.Core;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace Sambung.Projections.Search;

// Every version of every message (all branches, edited originals, partial replies) in one table with a
// tsvector, owner-scoped, pointing at the exact node. Plain SQL rather than documents: ts_headline and ranking
// need the text as a column. Writes are upserts so a rebuild never duplicates a row.
public sealed partial class MessageSearchProjection : EventProjection
{
    public const string TableName = "message_search";

    // English and Indonesian stems plus the unstemmed words ('simple'), so both languages (and names, code,
    // anything else) are found.
    public const string VectorExpression =
        "to_tsvector('simple', body) || to_tsvector('english', body) || to_tsvector('indonesian', body)";

    public static Table Table()
    {
        var table = new Table(new PostgresqlObjectName(SambungStore.Schema, TableName, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<Guid>("node_id").AsPrimaryKey();
        table.AddColumn<Guid>("conversation_id").NotNull().AddIndex();
        table.AddColumn<string>("owner_id").NotNull();
        table.AddColumn<string>("kind").NotNull();
        table.AddColumn<string>("body").NotNull();
        table.AddColumn("created_at", "timestamptz").NotNull();
        table.AddColumn<bool>("in_trash").NotNull().DefaultValueByExpression("false");
        table.AddColumn("tsv", "tsvector").GeneratedAs(VectorExpression).AddIndex(i => i.Method = IndexMethod.gin);
        table.Indexes.Add(new IndexDefinition("ix_message_search_owner_created") { Columns = ["owner_id", "created_at"] });
        return table;
    }

    private const string GinIndex = "idx_message_search_tsv";

    // A full rebuild fills the table in one statement from the rebuilt TreeNode and ChatListItem documents (every
    // version of every message is a node holding its text as the events left it, and the chat list knows what is
    // in Trash), with the GIN index built once at the end. Replayed row by row, this table cost half of a rebuild
    // (docs/benchmarks.md). Run it after those two projections are rebuilt.
    // .NET keeps tenths of microseconds; Npgsql drops them where a cast of the JSON text would round them.
    private const string CreatedAt = @"regexp_replace(t.data->>'CreatedAt', '(\.\d{6})\d+', '\1')::timestamptz";

    public static async Task RefillAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        const string schema = SambungStore.Schema;
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using var refill = new NpgsqlCommand($$"""
            drop index if exists {{schema}}.{{GinIndex}};
            truncate {{schema}}.{{TableName}};
            insert into {{schema}}.{{TableName}} (node_id, conversation_id, owner_id, kind, body, created_at, in_trash)
            select t.id, t.conversation_id, t.data->>'OwnerId',
                   case (t.data->>'Kind')::int when {{(int)NodeKind.User}} then 'user' when {{(int)NodeKind.Assistant}} then 'assistant' else 'merge' end,
                   coalesce(t.data->>'Text', ''), {{CreatedAt}}, coalesce(c.in_trash, false)
            from {{schema}}.mt_doc_treenode t left join {{schema}}.mt_doc_chatlistitem c on c.id = t.conversation_id
            where (t.data->>'Kind')::int <> {{(int)NodeKind.Root}};
            create index {{GinIndex}} on {{schema}}.{{TableName}} using gin (tsv);
            """, connection, transaction) { CommandTimeout = 0 };
        await refill.ExecuteNonQueryAsync(ct);
        await transaction.CommitAsync(ct);
        await using var analyze = new NpgsqlCommand($"analyze {schema}.{TableName}", connection);
        await analyze.ExecuteNonQueryAsync(ct);
    }

    private const string Insert =
        $"insert into {SambungStore.Schema}.{TableName} (node_id, conversation_id, owner_id, kind, body, created_at) values (?, ?, ?, ?, ?, ?) " +
        "on conflict (node_id) do update set body = excluded.body, kind = excluded.kind";

    private const string SetBody = $"update {SambungStore.Schema}.{TableName} set body = ? where node_id = ?";
    private const string SetTrash = $"update {SambungStore.Schema}.{TableName} set in_trash = ? where conversation_id = ?";
    private const string Remove = $"delete from {SambungStore.Schema}.{TableName} where conversation_id = ?";

    public void Project(IEvent<UserMessagePosted> e, IDocumentOperations ops) =>
        ops.QueueSqlCommand(Insert, e.Data.NodeId, e.StreamId, e.Data.By, "user", e.Data.Text, e.Data.At);

    public void Project(IEvent<UserMessageEdited> e, IDocumentOperations ops) =>
        ops.QueueSqlCommand(Insert, e.Data.NodeId, e.StreamId, e.Data.By, "user", e.Data.Text, e.Data.At);

    public void Project(IEvent<ReplyRequested> e, IDocumentOperations ops) =>
        ops.QueueSqlCommand(Insert, e.Data.NodeId, e.StreamId, e.Data.By, "assistant", "", e.Data.At);

    public void Project(IEvent<BranchesMerged> e, IDocumentOperations ops) =>
        ops.QueueSqlCommand(Insert, e.Data.NodeId, e.StreamId, e.Data.By, "merge", e.Data.Text, e.Data.At);

    public void Project(ReplyCompleted e, IDocumentOperations ops) => ops.QueueSqlCommand(SetBody, e.Text, e.NodeId);

    public void Project(ReplyFailed e, IDocumentOperations ops) => ops.QueueSqlCommand(SetBody, e.PartialText, e.NodeId);

    public void Project(ReplyStopped e, IDocumentOperations ops) => ops.QueueSqlCommand(SetBody, e.PartialText, e.NodeId);

    public void Project(IEvent<ConversationDeleted> e, IDocumentOperations ops) => ops.QueueSqlCommand(SetTrash, true, e.StreamId);

    public void Project(IEvent<ConversationRestored> e, IDocumentOperations ops) => ops.QueueSqlCommand(SetTrash, false, e.StreamId);

    public void Project(IEvent<ConversationPurged> e, IDocumentOperations ops) => ops.QueueSqlCommand(Remove, e.StreamId);
}
