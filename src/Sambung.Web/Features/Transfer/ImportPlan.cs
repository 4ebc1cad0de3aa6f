using Sambung.Events;
using Sambung.Events.Conversations;
using Sambung.Events.Library;

namespace Sambung.Web.Features.Transfer;

// What an import will write, decided before anything is: the folders and tags to add to the user's library (the
// library's own decisions, so its rules hold), and each chat's events with folders pointing at the user's folders.
public sealed record ImportPlan(IReadOnlyList<object> LibraryEvents, IReadOnlyList<ImportedChat> Chats, ImportRefusal? Refusal = null)
{
    public static ImportPlan Make(IReadOnlyList<ImportedChat> chats, UserLibrary library, string ownerId, DateTimeOffset now)
    {
        var state = library;
        var libraryEvents = new List<object>();
        var planned = new List<ImportedChat>();
        foreach (var chat in chats)
        {
            // Folders are matched by name (a user's folder names are unique ignoring case) or created.
            var folders = new Dictionary<Guid, Guid>();
            foreach (var (fileId, name) in chat.Folders)
            {
                var wanted = string.Join(' ', name.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
                var existing = state.Folders.FirstOrDefault(f => string.Equals(f.Value, wanted, StringComparison.OrdinalIgnoreCase));
                if (existing.Value is not null)
                {
                    folders[fileId] = existing.Key;
                    continue;
                }
                var decision = LibraryDecisions.Decide(new CreateFolder(Guid.CreateVersion7(), wanted, ownerId), state, now);
                if (decision.IsRefused)
                    return Refused(decision.Refusal == Refusals.TooManyFolders
                        ? new(ImportRefusal.TooManyFolders, UserLibrary.MaxFolders) : new(ImportRefusal.BrokenChat, chat.Title));
                folders[fileId] = ((FolderCreated)decision.Events[0]).FolderId;
                state = Apply(state, decision, libraryEvents);
            }

            foreach (var tag in chat.Events.Select(e => e.Data).OfType<ConversationTagged>().Select(t => t.Tag).Distinct())
            {
                var decision = LibraryDecisions.Decide(new CreateTag(tag, ownerId), state, now);
                if (decision.IsRefused)
                    return Refused(decision.Refusal == Refusals.TooManyTags
                        ? new(ImportRefusal.TooManyTags, UserLibrary.MaxTags) : new(ImportRefusal.BrokenChat, chat.Title));
                state = Apply(state, decision, libraryEvents);
            }

            // Replies come in as copies: they were asked of a provider elsewhere, and usage here does not count them.
            var events = chat.Events
                .Select(e => e.Data switch
                {
                    ConversationMovedToFolder { FolderId: { } f } move when folders.TryGetValue(f, out var mine) => e with { Data = move with { FolderId = mine } },
                    ReplyRequested r => e with { Data = r with { Copy = true } },
                    ReplyCompleted r => e with { Data = r with { Copy = true } },
                    ReplyFailed r => e with { Data = r with { Copy = true } },
                    ReplyStopped r => e with { Data = r with { Copy = true } },
                    _ => e,
                })
                .ToList();
            // A reply that was still being written when the file was made has nothing writing it here: it ends as
            // interrupted, as after a restart, instead of waiting forever.
            var final = Conversation.Fold(events.Select(e => e.Data))!;
            foreach (var pending in final.Nodes.Values.Where(n => n.IsPending).OrderBy(n => n.CreatedAt))
                events.Add(new(new ReplyFailed(pending.Id, ReplyFailed.InterruptedKind, "", pending.Text, now, ownerId, pending.Model, Copy: true)));
            planned.Add(chat with { Events = events });
        }
        return new ImportPlan(libraryEvents, planned);
    }

    private static ImportPlan Refused(ImportRefusal refusal) => new([], [], refusal);

    private static UserLibrary Apply(UserLibrary state, Decision decision, List<object> events)
    {
        events.AddRange(decision.Events);
        return decision.Events.Aggregate(state, (s, e) => s.Apply(e));
    }
}
