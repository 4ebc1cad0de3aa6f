using Marten;
using Sambung.Events.Conversations;
using Sambung.Events.Library;
using Sambung.Projections.Conversations;
using Sambung.Web.Features.Chats;

namespace Sambung.Web.Features.Library;

public static class LibraryCommandHandler
{
    public static Task<CommandResult> Handle(CreateFolder cmd, IDocumentSession session, LibraryStreams library, TimeProvider clock, CancellationToken ct) =>
        DecideAsync(session, library, cmd.By, s => LibraryDecisions.Decide(cmd, s, clock.GetUtcNow()), ct);

    public static Task<CommandResult> Handle(RenameFolder cmd, IDocumentSession session, LibraryStreams library, TimeProvider clock, CancellationToken ct) =>
        DecideAsync(session, library, cmd.By, s => LibraryDecisions.Decide(cmd, s, clock.GetUtcNow()), ct);

    public static Task<CommandResult> Handle(CreateTag cmd, IDocumentSession session, LibraryStreams library, TimeProvider clock, CancellationToken ct) =>
        DecideAsync(session, library, cmd.By, s => LibraryDecisions.Decide(cmd, s, clock.GetUtcNow()), ct);

    // Deleting a folder moves its chats to no folder, each recorded in its own conversation, in one transaction.
    public static async Task<CommandResult> Handle(DeleteFolder cmd, IDocumentSession session, LibraryStreams library,
        ConversationStreams streams, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var result = await DecideAsync(session, library, cmd.By, s => LibraryDecisions.Decide(cmd, s, now), ct);
        if (result.Status != CommandStatus.Applied) return result;
        foreach (var chat in await ChatsWhere(session, cmd.By, x => x.FolderId == cmd.FolderId, ct))
            await ApplyAsync(session, streams, chat, cmd.By, now, ct, new MoveConversationToFolder(chat, null, cmd.By));
        return result;
    }

    public static async Task<CommandResult> Handle(RenameTag cmd, IDocumentSession session, LibraryStreams library,
        ConversationStreams streams, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var state = await library.LoadAsync(session, cmd.By, ct);
        var decision = LibraryDecisions.Decide(cmd, state, now);
        var result = library.Append(session, state, decision);
        if (result.Status != CommandStatus.Applied) return result;
        var renamed = decision.Events.OfType<TagRenamed>().Single();
        foreach (var chat in await ChatsTagged(session, cmd.By, renamed.From, ct))
            await ApplyAsync(session, streams, chat, cmd.By, now, ct,
                new UntagConversation(chat, renamed.From, cmd.By), new TagConversation(chat, renamed.To, cmd.By));
        return result;
    }

    public static async Task<CommandResult> Handle(DeleteTag cmd, IDocumentSession session, LibraryStreams library,
        ConversationStreams streams, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var state = await library.LoadAsync(session, cmd.By, ct);
        var decision = LibraryDecisions.Decide(cmd, state, now);
        var result = library.Append(session, state, decision);
        if (result.Status != CommandStatus.Applied) return result;
        var deleted = decision.Events.OfType<TagDeleted>().Single();
        foreach (var chat in await ChatsTagged(session, cmd.By, deleted.Tag, ct))
            await ApplyAsync(session, streams, chat, cmd.By, now, ct, new UntagConversation(chat, deleted.Tag, cmd.By));
        return result;
    }

    private static async Task<CommandResult> DecideAsync(IDocumentSession session, LibraryStreams library, string ownerId,
        Func<UserLibrary, Sambung.Events.Decision> decide, CancellationToken ct)
    {
        var state = await library.LoadAsync(session, ownerId, ct);
        return library.Append(session, state, decide(state));
    }

    // Several commands to one conversation in this transaction: decided in turn, appended once.
    private static async Task ApplyAsync(IDocumentSession session, ConversationStreams streams, Guid conversationId, string ownerId,
        DateTimeOffset now, CancellationToken ct, params IUserCommand[] commands)
    {
        if (await streams.LoadOwnedAsync(session, conversationId, ownerId, ct) is not { } state) return;
        var events = new List<object>();
        var current = state;
        foreach (var command in commands)
        {
            var decision = ConversationDecisions.Decide(command, current, now);
            events.AddRange(decision.Events);
            current = decision.Events.Aggregate(current, (s, e) => s.Apply(e));
        }
        streams.Append(session, state, Sambung.Events.Decision.Accept([.. events]));
    }

    private static async Task<IReadOnlyList<Guid>> ChatsWhere(IDocumentSession session, string ownerId,
        System.Linq.Expressions.Expression<Func<ChatListItem, bool>> filter, CancellationToken ct) =>
        await session.Query<ChatListItem>().Where(x => x.OwnerId == ownerId).Where(filter).Select(x => x.Id).ToListAsync(ct);

    // Chats carry the library's spelling of a tag (see ConversationCommandHandler), so an exact match finds them all.
    private static Task<IReadOnlyList<Guid>> ChatsTagged(IDocumentSession session, string ownerId, string tag, CancellationToken ct) =>
        ChatsWhere(session, ownerId, x => x.Tags.Contains(tag), ct);
}
