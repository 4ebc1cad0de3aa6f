using Marten;
using Sambung.Events;
using Sambung.Web.Features.Chats;
using Sambung.Web.Features.Library;
using Sambung.Web.Infrastructure;

namespace Sambung.Web.Features.Transfer;

public sealed record ImportOutcome(IReadOnlyList<(Guid Id, string Title)> Chats, ImportRefusal? Refusal = null);

// Writes what ImportReader read and ImportPlan decided: the library first (folders, tags), then each chat as a new
// stream, in small commits (see Batches). Everything that could refuse the import was checked before the first one.
public sealed class ChatImporter(IDocumentStore store, LibraryStreams library, AuditSource source, ChatListSignals signals, TimeProvider clock)
{
    public async Task<ImportOutcome> ImportAsync(IReadOnlyList<ImportedChat> chats, string ownerId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using (var session = store.LightweightSession())
        {
            var state = await library.LoadAsync(session, ownerId, ct);
            var plan = ImportPlan.Make(chats, state, ownerId, now);
            if (plan.Refusal is not null) return new([], plan.Refusal);
            if (plan.LibraryEvents.Count > 0)
            {
                library.Append(session, state, Decision.Accept([.. plan.LibraryEvents]));
                await session.SaveChangesAsync(ct);
            }
            chats = plan.Chats;
        }

        foreach (var chat in chats)
        {
            var version = 0;
            foreach (var batch in Batches(chat.Events))
            {
                await using var session = store.LightweightSession();
                source.Stamp(session);
                if (batch[0].OriginalAt is { } at) session.SetHeader(ChatFile.OriginalAtHeader, ChatFile.OriginalAtValue(at));
                var data = batch.Select(e => e.Data).ToArray();
                if (version == 0) session.Events.StartStream(chat.Id, data);
                else session.Events.Append(chat.Id, version + data.Length, data);
                await session.SaveChangesAsync(ct);
                version += data.Length;
            }
        }
        signals.Publish(ownerId); // the user's other tabs show the new chats too
        return new([.. chats.Select(c => (c.Id, Title(c)))]);
    }

    // The commits a chat's events are written in, shaped like the ones that wrote them first: a new commit where the
    // original time changes (our files: one commit per command, as when it happened) and before a node is added
    // under one this commit already added, unless right after it (a message and the reply it asks for). The node
    // projection is only known to be right for commits shaped like that; a whole branching chat in one commit left
    // nodes pointing at the wrong parents.
    public static IReadOnlyList<IReadOnlyList<ImportedEvent>> Batches(IReadOnlyList<ImportedEvent> events)
    {
        var batches = new List<IReadOnlyList<ImportedEvent>>();
        var batch = new List<ImportedEvent>();
        var added = new HashSet<Guid>();
        Guid? previous = null;
        foreach (var e in events)
        {
            var (node, parent) = Added(e.Data);
            var split = batch.Count > 0 && (e.OriginalAt != batch[0].OriginalAt
                || (parent is { } p && added.Contains(p) && previous != p));
            if (split)
            {
                batches.Add(batch);
                batch = [];
                added.Clear();
            }
            batch.Add(e);
            previous = node;
            if (node is { } n) added.Add(n);
        }
        if (batch.Count > 0) batches.Add(batch);
        return batches;
    }

    private static (Guid? Node, Guid? Parent) Added(object e) => e switch
    {
        Sambung.Events.Conversations.ConversationStarted x => (x.ConversationId, null),
        Sambung.Events.Conversations.UserMessagePosted x => (x.NodeId, x.ParentId),
        Sambung.Events.Conversations.UserMessageEdited x => (x.NodeId, x.ParentId),
        Sambung.Events.Conversations.ReplyRequested x => (x.NodeId, x.ParentId),
        Sambung.Events.Conversations.BranchesMerged x => (x.NodeId, x.ParentId),
        _ => (null, null),
    };

    // The title the chat ends with (a rename in its history wins over the first one).
    private static string Title(ImportedChat chat) =>
        chat.Events.Select(e => e.Data).OfType<Sambung.Events.Conversations.ConversationRenamed>().LastOrDefault()?.Title
        ?? chat.Events.Select(e => e.Data).OfType<Sambung.Events.Conversations.ConversationStarted>().First().Title;
}
