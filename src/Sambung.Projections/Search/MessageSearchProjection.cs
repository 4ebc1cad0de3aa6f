using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using Sambung.Events.Conversations;
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
