using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using Sambung.Events.Conversations;

namespace Sambung.Events.Library;

// A user's folders and tags: one stream per user, so renaming or deleting them is recorded like everything else.
public sealed record FolderCreated(Guid FolderId, string Name, string By, DateTimeOffset At);

public sealed record FolderRenamed(Guid FolderId, string Name, string By, DateTimeOffset At);

// The folder's chats move to no folder (each conversation records that move in its own stream).
public sealed record FolderDeleted(Guid FolderId, string By, DateTimeOffset At);

public sealed record TagCreated(string Tag, string By, DateTimeOffset At);

public sealed record TagRenamed(string From, string To, string By, DateTimeOffset At);

public sealed record TagDeleted(string Tag, string By, DateTimeOffset At);

public sealed record UserLibrary(
    Guid Id, string OwnerId, ImmutableDictionary<Guid, string> Folders, ImmutableSortedSet<string> Tags, long Version)
{
    public const int MaxFolderNameLength = 80;
    public const int MaxFolders = 500;
    public const int MaxTags = 1000;

    // The library's stream id is derived from the user id, so it needs no lookup.
    public static Guid IdFor(string ownerId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("sambung-library:" + ownerId));
        return new Guid(hash.AsSpan(0, 16));
    }

    public static UserLibrary Empty(string ownerId) =>
        new(IdFor(ownerId), ownerId, ImmutableDictionary<Guid, string>.Empty, ImmutableSortedSet.Create<string>(Conversation.TagComparer), 0);

    public static UserLibrary Fold(string ownerId, IEnumerable<object> events) => events.Aggregate(Empty(ownerId), (s, e) => s.Apply(e));

    public UserLibrary Apply(object e) => (e switch
    {
        FolderCreated x => this with { Folders = Folders.SetItem(x.FolderId, x.Name) },
        FolderRenamed x => this with { Folders = Folders.SetItem(x.FolderId, x.Name) },
        FolderDeleted x => this with { Folders = Folders.Remove(x.FolderId) },
        TagCreated x => this with { Tags = Tags.Add(x.Tag) },
        TagRenamed x => this with { Tags = Tags.Remove(x.From).Add(x.To) },
        TagDeleted x => this with { Tags = Tags.Remove(x.Tag) },
        _ => this,
    }) with { Version = Version + 1 };

    public bool HasFolder(Guid folderId) => Folders.ContainsKey(folderId);
}

public sealed record CreateFolder(Guid FolderId, string Name, string By);

public sealed record RenameFolder(Guid FolderId, string Name, string By);

public sealed record DeleteFolder(Guid FolderId, string By);

public sealed record CreateTag(string Tag, string By);

public sealed record RenameTag(string From, string To, string By);

public sealed record DeleteTag(string Tag, string By);

public static class LibraryDecisions
{
    public static Decision Decide(CreateFolder cmd, UserLibrary state, DateTimeOffset now)
    {
        if (NormalizeName(cmd.Name) is not { } name) return Decision.Refuse(Refusals.InvalidFolderName);
        if (state.Folders.TryGetValue(cmd.FolderId, out var existing))
            return existing == name ? Decision.NoChange : Decision.Refuse(Refusals.IdAlreadyUsed);
        if (state.Folders.Values.Contains(name, StringComparer.OrdinalIgnoreCase)) return Decision.Refuse(Refusals.FolderExists);
        if (state.Folders.Count >= UserLibrary.MaxFolders) return Decision.Refuse(Refusals.TooManyFolders);
        return Decision.Accept(new FolderCreated(cmd.FolderId, name, cmd.By, now));
    }

    public static Decision Decide(RenameFolder cmd, UserLibrary state, DateTimeOffset now)
    {
        if (!state.Folders.TryGetValue(cmd.FolderId, out var current)) return Decision.Refuse(Refusals.NotFound);
        if (NormalizeName(cmd.Name) is not { } name) return Decision.Refuse(Refusals.InvalidFolderName);
        if (name == current) return Decision.NoChange;
        if (state.Folders.Any(f => f.Key != cmd.FolderId && string.Equals(f.Value, name, StringComparison.OrdinalIgnoreCase)))
            return Decision.Refuse(Refusals.FolderExists);
        return Decision.Accept(new FolderRenamed(cmd.FolderId, name, cmd.By, now));
    }

    public static Decision Decide(DeleteFolder cmd, UserLibrary state, DateTimeOffset now) =>
        state.HasFolder(cmd.FolderId) ? Decision.Accept(new FolderDeleted(cmd.FolderId, cmd.By, now)) : Decision.NoChange;

    public static Decision Decide(CreateTag cmd, UserLibrary state, DateTimeOffset now)
    {
        if (ConversationDecisions.NormalizeTag(cmd.Tag) is not { } tag) return Decision.Refuse(Refusals.InvalidTag);
        if (state.Tags.Contains(tag)) return Decision.NoChange;
        if (state.Tags.Count >= UserLibrary.MaxTags) return Decision.Refuse(Refusals.TooManyTags);
        return Decision.Accept(new TagCreated(tag, cmd.By, now));
    }

    public static Decision Decide(RenameTag cmd, UserLibrary state, DateTimeOffset now)
    {
        if (!state.Tags.TryGetValue(cmd.From.Trim(), out var from)) return Decision.Refuse(Refusals.NotFound);
        if (ConversationDecisions.NormalizeTag(cmd.To) is not { } to) return Decision.Refuse(Refusals.InvalidTag);
        if (to == from) return Decision.NoChange;
        if (!string.Equals(from, to, StringComparison.OrdinalIgnoreCase) && state.Tags.Contains(to)) return Decision.Refuse(Refusals.TagExists);
        return Decision.Accept(new TagRenamed(from, to, cmd.By, now));
    }

    public static Decision Decide(DeleteTag cmd, UserLibrary state, DateTimeOffset now) =>
        state.Tags.TryGetValue(cmd.Tag.Trim(), out var tag) ? Decision.Accept(new TagDeleted(tag, cmd.By, now)) : Decision.NoChange;

    private static string? NormalizeName(string name)
    {
        var trimmed = string.Join(' ', name.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return trimmed.Length is 0 or > UserLibrary.MaxFolderNameLength || trimmed.Any(char.IsControl) ? null : trimmed;
    }
}
