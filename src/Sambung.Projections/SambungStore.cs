using JasperFx.Events.Projections;
using Marten;
using Marten.Schema;
using Sambung.Events.Conversations;
using Sambung.Events.Library;
using Sambung.Projections.Audit;
using Sambung.Projections.Conversations;
using Sambung.Projections.Library;
using Sambung.Projections.Prompts;
using Sambung.Projections.Search;
using Sambung.Projections.Usage;

namespace Sambung.Projections;

// Every event type, document and projection lifecycle of Sambung, declared in one place.
public static class SambungStore
{
    public const string Schema = "sambung";

    public static readonly Type[] EventTypes =
    [
        typeof(ConversationStarted), typeof(UserMessagePosted), typeof(UserMessageEdited), typeof(ReplyRequested),
        typeof(ReplyCompleted), typeof(ReplyFailed), typeof(ReplyStopped), typeof(FallbackTaken), typeof(BranchSelected),
        typeof(BranchesMerged), typeof(BranchHidden), typeof(BranchRestored), typeof(ConversationRenamed),
        typeof(ConversationPinned), typeof(ConversationUnpinned), typeof(ConversationMovedToFolder),
        typeof(ConversationTagged), typeof(ConversationUntagged), typeof(ModelChanged), typeof(SystemPromptChanged),
        typeof(GenerationParametersChanged), typeof(ConversationDeleted), typeof(ConversationRestored),
        typeof(ConversationPurged),
        typeof(BranchLabeled), typeof(BranchStarred), typeof(BranchUnstarred), typeof(ConversationForked),
        typeof(FolderCreated), typeof(FolderRenamed), typeof(FolderDeleted), typeof(TagCreated), typeof(TagRenamed),
        typeof(TagDeleted),
        typeof(Sambung.Events.Pricing.ModelPriceSet),
    ];

    public static void Configure(StoreOptions opts)
    {
        opts.DatabaseSchemaName = Schema;
        // pgvector backs semantic search; created with the rest of the schema so every deployment has it.
        opts.Storage.ExtendedSchemaObjects.Add(new Weasel.Postgresql.Extension("vector"));
        opts.Storage.ExtendedSchemaObjects.Add(MessageSearchProjection.Table());

        opts.Events.AddEventTypes(EventTypes);
        opts.Events.AddEventTypes(Sambung.Events.Accounts.AccountStream.EventTypes);
        opts.Events.AddEventTypes(Sambung.Events.Prompts.PromptTemplate.EventTypes);
        opts.Events.MetadataConfig.HeadersEnabled = true; // where a change came from, for the audit trail
        AddMaskingRules(opts);

        // What a user reads right after writing: inline, in the same transaction as the events.
        opts.Projections.Add<ConversationTreeProjection>(ProjectionLifecycle.Inline);
        opts.Projections.Add<ChatListItemProjection>(ProjectionLifecycle.Inline);
        opts.Projections.Add<TreeNodeProjection>(ProjectionLifecycle.Inline);
        opts.Projections.Add<MessageSearchProjection>(ProjectionLifecycle.Inline);
        opts.Projections.Add<LibraryViewProjection>(ProjectionLifecycle.Inline);
        opts.Projections.Add<PromptViewProjection>(ProjectionLifecycle.Inline);
        // Analytics and audit: async, they may trail the writes and never slow them down.
        opts.Projections.Add<UsageDayProjection>(ProjectionLifecycle.Async);
        opts.Projections.Add<UsageChatDayProjection>(ProjectionLifecycle.Async);
        opts.Projections.Add<UsageModelDayProjection>(ProjectionLifecycle.Async);
        opts.Projections.Add(new AuditProjection(), ProjectionLifecycle.Async, ProjectionNames.Audit);

        // A rebuild writes with COPY and in large batches: 23-30 % faster here (docs/benchmarks.md).
        opts.Projections.RebuildWithBulkCopy = true;
        foreach (var projection in ((IReadOnlyStoreOptions)opts).Events.Projections().OfType<ProjectionBase>())
        {
            projection.Options.BatchSize = 5_000;
            projection.Options.RebuildFlushThreshold = 100_000;
        }

        opts.Schema.For<ChatListItem>()
            .Duplicate(x => x.OwnerId, notNull: true)
            .Duplicate(x => x.UpdatedAt, pgType: "timestamptz", notNull: true)
            .Duplicate(x => x.Pinned, notNull: true)
            // Columns added after the first release stay nullable: Weasel can add those to an existing table.
            .Duplicate(x => x.InTrash)
            .IgnoreIndex(Search.TitleSearchIndex.IndexName) // made by TitleSearchIndex, not Marten
            // The sidebar's keyset (ChatsPageAsync: one owner's chats by pinned, updated_at, id, newest first), read
            // backwards from one index: the first page of 100,000 chats reads 51 rows instead of sorting them all
            // (docs/benchmarks.md, workspace). On duplicated members Marten indexes the columns, not the JSON.
            .Index([x => x.OwnerId, x => x.Pinned, x => x.UpdatedAt, x => x.Id]);
        opts.Schema.For<ConversationTree>().Duplicate(x => x.OwnerId, notNull: true);
        opts.Schema.For<TreeNode>()
            .Duplicate(x => x.ConversationId, notNull: true)
            .Duplicate(x => x.ParentId);
        // The instance dashboard's split by user sums every owner's rows of a range in SQL (UsageUserQuery): the
        // figures it needs are columns too (SummedColumns), and the index on the day carries them all, so PostgreSQL
        // answers from the index alone instead of reading every document of the range (docs/benchmarks.md, usage).
        // One owner's rows of a range (the personal dashboard, budgets) come from an (owner, day) index.
        opts.Schema.For<UsageDay>()
            .Duplicate(x => x.OwnerId, notNull: true)
            .Duplicate(x => x.Day, pgType: "date", notNull: true, configure: index => index.IncludeColumns = [.. UsageColumns.Day])
            .Index([x => x.OwnerId, x => x.Day]);
        opts.Schema.For<UsageModelDay>().Duplicate(x => x.Day, pgType: "date", notNull: true);
        // By chat: one owner's rows of a range, summed in SQL (UsageChatQuery), from the index alone as above.
        opts.Schema.For<UsageChatDay>()
            .Duplicate(x => x.OwnerId, notNull: true)
            .Duplicate(x => x.Day, pgType: "date", notNull: true)
            .Duplicate(x => x.ConversationId, notNull: true)
            .Duplicate(x => x.Model, notNull: true)
            .Index([x => x.OwnerId, x => x.Day], index =>
            {
                index.Name = "mt_doc_usagechatday_idx_owner_day_figures";
                index.IncludeColumns = [.. UsageColumns.ChatDay];
            });
        opts.Policies.ForAllDocuments(SummedColumns);
        opts.Schema.For<PromptView>().Duplicate(x => x.OwnerId, notNull: true).Duplicate(x => x.IsPublic);
        opts.Schema.For<PromptUse>().Duplicate(x => x.OwnerId, notNull: true);
        opts.Schema.For<AuditEntry>().Duplicate(x => x.StreamId, notNull: true).Duplicate(x => x.Sequence, notNull: true);
    }

    // The figures the usage queries sum, as columns of their own but without an index each (Marten's Duplicate adds
    // one per column, which every write would pay for): only the covering indexes above read them. Nullable: they
    // were added after the first release (Marten fills them from the documents when it adds them).
    private static void SummedColumns(DocumentMapping mapping)
    {
        var members = mapping.DocumentType == typeof(UsageDay)
            ? [nameof(UsageDay.Model), nameof(UsageDay.Requests), nameof(UsageDay.Completed), nameof(UsageDay.Failed), nameof(UsageDay.Stopped),
               nameof(UsageDay.InputTokens), nameof(UsageDay.OutputTokens), nameof(UsageDay.TimeToFirstTokenCount), nameof(UsageDay.TimeToFirstTokenTotalMs)]
            : mapping.DocumentType == typeof(UsageChatDay)
                ? [nameof(UsageChatDay.Requests), nameof(UsageChatDay.Failed), nameof(UsageChatDay.InputTokens), nameof(UsageChatDay.OutputTokens)]
                : Array.Empty<string>();
        foreach (var member in members) mapping.DuplicateField(member);
    }

    private static readonly Sambung.Events.Prompts.PromptContent MaskedPrompt = new("", "", "", "", []);

    // Purging a conversation blanks every piece of text its events hold (see ConversationPurging).
    private static void AddMaskingRules(StoreOptions opts)
    {
        opts.Events.AddMaskingRuleForProtectedInformation<ConversationStarted>(e => e with { Title = "", SystemPrompt = null });
        opts.Events.AddMaskingRuleForProtectedInformation<UserMessagePosted>(e => e with { Text = "" });
        opts.Events.AddMaskingRuleForProtectedInformation<UserMessageEdited>(e => e with { Text = "" });
        opts.Events.AddMaskingRuleForProtectedInformation<ReplyRequested>(e => e with { Context = e.Context with { SystemPrompt = null } });
        opts.Events.AddMaskingRuleForProtectedInformation<ReplyCompleted>(e => e with { Text = "" });
        opts.Events.AddMaskingRuleForProtectedInformation<ReplyFailed>(e => e with { PartialText = "", Message = "" });
        opts.Events.AddMaskingRuleForProtectedInformation<ReplyStopped>(e => e with { PartialText = "" });
        opts.Events.AddMaskingRuleForProtectedInformation<BranchesMerged>(e => e with { Text = "" });
        opts.Events.AddMaskingRuleForProtectedInformation<ConversationRenamed>(e => e with { Title = "" });
        opts.Events.AddMaskingRuleForProtectedInformation<ConversationTagged>(e => e with { Tag = "" });
        opts.Events.AddMaskingRuleForProtectedInformation<ConversationUntagged>(e => e with { Tag = "" });
        opts.Events.AddMaskingRuleForProtectedInformation<SystemPromptChanged>(e => e with { SystemPrompt = null });
        opts.Events.AddMaskingRuleForProtectedInformation<BranchLabeled>(e => e with { Label = "" });
        // Deleting an account also blanks the names of its folders and tags and its account details.
        opts.Events.AddMaskingRuleForProtectedInformation<FolderCreated>(e => e with { Name = "" });
        opts.Events.AddMaskingRuleForProtectedInformation<FolderRenamed>(e => e with { Name = "" });
        opts.Events.AddMaskingRuleForProtectedInformation<TagCreated>(e => e with { Tag = "" });
        opts.Events.AddMaskingRuleForProtectedInformation<TagRenamed>(e => e with { From = "", To = "" });
        opts.Events.AddMaskingRuleForProtectedInformation<TagDeleted>(e => e with { Tag = "" });
        // ... and the text of their prompts (published ones leave the community library first).
        opts.Events.AddMaskingRuleForProtectedInformation<Sambung.Events.Prompts.PromptCreated>(e => e with { Content = MaskedPrompt, Source = null });
        opts.Events.AddMaskingRuleForProtectedInformation<Sambung.Events.Prompts.PromptEdited>(e => e with { Content = MaskedPrompt });
        opts.Events.AddMaskingRuleForProtectedInformation<Sambung.Events.Prompts.PromptVersionRestored>(e => e with { Content = MaskedPrompt });
        opts.Events.AddMaskingRuleForProtectedInformation<Sambung.Events.Prompts.PromptPublished>(e => e with { AuthorName = "" });
        opts.Events.AddMaskingRuleForProtectedInformation<Sambung.Events.Accounts.AccountRegistered>(e => e with { Email = "" });
        opts.Events.AddMaskingRuleForProtectedInformation<Sambung.Events.Accounts.SignedIn>(e => e with { Address = null, Device = null });
        opts.Events.AddMaskingRuleForProtectedInformation<Sambung.Events.Accounts.SignInFailed>(e => e with { Address = null });
        opts.Events.AddMaskingRuleForProtectedInformation<Sambung.Events.Accounts.LockedOut>(e => e with { Address = null });
    }
}

public static class ProjectionNames
{
    public const string Audit = "Audit";
}
