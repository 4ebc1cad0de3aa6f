using JasperFx.Events.Projections;
using Marten;
using Sambung.Events.Conversations;
using Sambung.Projections.Conversations;

namespace Sambung.Projections;

// Every event type, document and projection lifecycle of Sambung, declared in one place.
public static class SambungStore
{
    public const string Schema = "sambung";

    public static void Configure(StoreOptions opts)
    {
        opts.DatabaseSchemaName = Schema;
        // pgvector backs semantic search; created with the rest of the schema so every deployment has it.
        opts.Storage.ExtendedSchemaObjects.Add(new Weasel.Postgresql.Extension("vector"));

        opts.Events.AddEventTypes([
            typeof(ConversationStarted), typeof(UserMessagePosted), typeof(ReplyRequested), typeof(ReplyCompleted),
            typeof(ReplyFailed), typeof(ReplyStopped), typeof(FallbackTaken),
        ]);

        // Read right after a write by the same user: inline, in the same transaction as the events.
        opts.Projections.Add<ConversationTreeProjection>(ProjectionLifecycle.Inline);
        opts.Projections.Add<ChatListItemProjection>(ProjectionLifecycle.Inline);
        opts.Projections.Add<TreeNodeProjection>(ProjectionLifecycle.Inline);

        opts.Schema.For<ChatListItem>()
            .Duplicate(x => x.OwnerId, notNull: true)
            .Duplicate(x => x.UpdatedAt, pgType: "timestamptz", notNull: true)
            .Duplicate(x => x.Pinned, notNull: true);
        opts.Schema.For<ConversationTree>().Duplicate(x => x.OwnerId, notNull: true);
        opts.Schema.For<TreeNode>()
            .Duplicate(x => x.ConversationId, notNull: true)
            .Duplicate(x => x.ParentId);
    }
}
