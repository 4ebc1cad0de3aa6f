using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using Sambung.Events.Conversations;

namespace Sambung.Events.Prompts;

// What a version of a prompt says. Every save is a new version; nothing is ever overwritten.
public sealed record PromptContent(string Name, string Description, string Text, string Category, IReadOnlyList<string> Tags)
{
    public bool SameAs(PromptContent other) =>
        Name == other.Name && Description == other.Description && Text == other.Text && Category == other.Category
        && Tags.SequenceEqual(other.Tags);
}

// Where a copy came from: a community prompt (its id and the version copied, with its author's name as shown
// then), a built-in, or the user's own prompt (duplicate).
public sealed record PromptSource(Guid PromptId, int Version, string? Author);

// One stream per prompt. Versions are numbered from 1; only a change of content (create, edit, restore) makes one.
public sealed record PromptCreated(Guid PromptId, string OwnerId, PromptContent Content, PromptSource? Source, DateTimeOffset At);

public sealed record PromptEdited(Guid PromptId, int Version, PromptContent Content, string By, DateTimeOffset At);

// Restoring appends the old version's content as a new version: the versions in between stay in the history.
public sealed record PromptVersionRestored(Guid PromptId, int Version, int FromVersion, PromptContent Content, string By, DateTimeOffset At);

public sealed record PromptDeleted(Guid PromptId, string By, DateTimeOffset At);

// Publishing shares one version with everyone on the instance; editing afterwards does not change what they see
// until the owner publishes again.
public sealed record PromptPublished(Guid PromptId, int Version, string AuthorName, string By, DateTimeOffset At);

public sealed record PromptUnpublished(Guid PromptId, string By, bool ByAdmin, DateTimeOffset At);

// Someone copied this (published) prompt into their own library: counted on the source.
public sealed record PromptCopied(Guid PromptId, Guid CopyId, string By, DateTimeOffset At);

public sealed record PromptVersion(int Number, PromptContent Content, string By, DateTimeOffset At, int? RestoredFrom);

public sealed record PromptTemplate(
    Guid Id, string OwnerId, ImmutableList<PromptVersion> Versions, PromptSource? Source, bool Deleted,
    int? PublishedVersion, int Copies, long Version)
{
    public const int MaxNameLength = 100;
    public const int MaxDescriptionLength = 500;
    public const int MaxTextLength = 20_000;
    public const int MaxCategoryLength = 40;
    public const int MaxTags = 10;

    public PromptVersion Current => Versions[^1];
    public bool IsPublished => PublishedVersion is not null && !Deleted;

    public static readonly Type[] EventTypes =
    [
        typeof(PromptCreated), typeof(PromptEdited), typeof(PromptVersionRestored), typeof(PromptDeleted),
        typeof(PromptPublished), typeof(PromptUnpublished), typeof(PromptCopied),
    ];

    public static PromptTemplate? Fold(IEnumerable<object> events) =>
        events.Aggregate((PromptTemplate?)null, (state, e) => state is null
            ? e is PromptCreated created ? Create(created) : null
            : state.Apply(e));

    public static PromptTemplate Create(PromptCreated e) =>
        new(e.PromptId, e.OwnerId, [new PromptVersion(1, e.Content, e.OwnerId, e.At, null)], e.Source, false, null, 0, 1);

    public PromptTemplate Apply(object e) => (e switch
    {
        PromptEdited x => this with { Versions = Versions.Add(new(x.Version, x.Content, x.By, x.At, null)) },
        PromptVersionRestored x => this with { Versions = Versions.Add(new(x.Version, x.Content, x.By, x.At, x.FromVersion)) },
        PromptDeleted => this with { Deleted = true },
        PromptPublished x => this with { PublishedVersion = x.Version },
        PromptUnpublished => this with { PublishedVersion = null },
        PromptCopied => this with { Copies = Copies + 1 },
        _ => this,
    }) with { Version = Version + 1 };

    // Built-in prompts have fixed ids derived from their key, so a reply can name the built-in it came from.
    public static Guid BuiltInId(string key)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("sambung-builtin-prompt:" + key));
        return new Guid(hash.AsSpan(0, 16));
    }

    // The content as it will be stored (names and tags tidied), or the refusal code that says what is wrong.
    public static (PromptContent? Content, string? Refusal) Normalize(PromptContent content)
    {
        var name = Collapse(content.Name);
        if (name.Length is 0 or > MaxNameLength || name.Any(char.IsControl)) return (null, PromptRefusals.InvalidName);
        var description = (content.Description ?? "").Trim();
        if (description.Length > MaxDescriptionLength) return (null, PromptRefusals.DescriptionTooLong);
        var text = (content.Text ?? "").Replace("\r\n", "\n");
        if (text.Trim().Length == 0) return (null, PromptRefusals.EmptyText);
        if (text.Length > MaxTextLength) return (null, PromptRefusals.TextTooLong);
        if (!TemplateSyntax.Parse(text).IsValid) return (null, PromptRefusals.InvalidTemplate);
        var category = Collapse(content.Category ?? "");
        if (category.Length > MaxCategoryLength || category.Any(char.IsControl)) return (null, PromptRefusals.InvalidCategory);
        var tags = new List<string>();
        foreach (var raw in content.Tags ?? [])
        {
            if (string.IsNullOrWhiteSpace(raw)) continue;
            if (ConversationDecisions.NormalizeTag(raw) is not { } tag) return (null, PromptRefusals.InvalidTags);
            if (!tags.Contains(tag, StringComparer.OrdinalIgnoreCase)) tags.Add(tag);
        }
        if (tags.Count > MaxTags) return (null, PromptRefusals.InvalidTags);
        return (new PromptContent(name, description, text, category, tags), null);
    }

    private static string Collapse(string value) => string.Join(' ', (value ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}

public static class PromptRefusals
{
    public const string InvalidName = "PromptInvalidName";
    public const string DescriptionTooLong = "PromptDescriptionTooLong";
    public const string EmptyText = "PromptEmptyText";
    public const string TextTooLong = "PromptTextTooLong";
    public const string InvalidTemplate = "PromptInvalidTemplate";
    public const string InvalidCategory = "PromptInvalidCategory";
    public const string InvalidTags = "PromptInvalidTags";
    public const string NotPublished = "PromptNotPublished";
}

public sealed record CreatePrompt(Guid PromptId, PromptContent Content, string By, PromptSource? Source = null);

public sealed record EditPrompt(Guid PromptId, PromptContent Content, string By);

public sealed record RestorePromptVersion(Guid PromptId, int Version, string By);

public sealed record DeletePrompt(Guid PromptId, string By);

public sealed record PublishPrompt(Guid PromptId, string AuthorName, string By);

public sealed record UnpublishPrompt(Guid PromptId, string By, bool IsAdmin);

// Copy a published prompt into the copier's library: the copy is a new prompt whose source is this one.
public sealed record CopyPrompt(Guid SourceId, Guid CopyId, string By);

public static class PromptDecisions
{
    public static Decision Decide(CreatePrompt cmd, PromptTemplate? state, DateTimeOffset now)
    {
        var (content, refusal) = PromptTemplate.Normalize(cmd.Content);
        if (content is null) return Decision.Refuse(refusal!);
        if (state is not null)
            return state.OwnerId == cmd.By && state.Versions[0].Content.SameAs(content) ? Decision.NoChange : Decision.Refuse(Refusals.IdAlreadyUsed);
        return Decision.Accept(new PromptCreated(cmd.PromptId, cmd.By, content, cmd.Source, now));
    }

    public static Decision Decide(EditPrompt cmd, PromptTemplate? state, DateTimeOffset now)
    {
        if (Owned(state, cmd.By) is not { } prompt) return Decision.Refuse(Refusals.NotFound);
        var (content, refusal) = PromptTemplate.Normalize(cmd.Content);
        if (content is null) return Decision.Refuse(refusal!);
        if (prompt.Current.Content.SameAs(content)) return Decision.NoChange;
        return Decision.Accept(new PromptEdited(prompt.Id, prompt.Current.Number + 1, content, cmd.By, now));
    }

    public static Decision Decide(RestorePromptVersion cmd, PromptTemplate? state, DateTimeOffset now)
    {
        if (Owned(state, cmd.By) is not { } prompt) return Decision.Refuse(Refusals.NotFound);
        if (prompt.Versions.FirstOrDefault(v => v.Number == cmd.Version) is not { } old) return Decision.Refuse(Refusals.NotFound);
        if (prompt.Current.Content.SameAs(old.Content)) return Decision.NoChange;
        return Decision.Accept(new PromptVersionRestored(prompt.Id, prompt.Current.Number + 1, old.Number, old.Content, cmd.By, now));
    }

    public static Decision Decide(DeletePrompt cmd, PromptTemplate? state, DateTimeOffset now)
    {
        if (state is null || state.OwnerId != cmd.By) return Decision.Refuse(Refusals.NotFound);
        return state.Deleted ? Decision.NoChange : Decision.Accept(new PromptDeleted(state.Id, cmd.By, now));
    }

    public static Decision Decide(PublishPrompt cmd, PromptTemplate? state, DateTimeOffset now)
    {
        if (Owned(state, cmd.By) is not { } prompt) return Decision.Refuse(Refusals.NotFound);
        if (prompt.PublishedVersion == prompt.Current.Number) return Decision.NoChange;
        return Decision.Accept(new PromptPublished(prompt.Id, prompt.Current.Number, cmd.AuthorName, cmd.By, now));
    }

    // The owner, or an admin (for anything on the instance), may take a prompt out of the community library.
    public static Decision Decide(UnpublishPrompt cmd, PromptTemplate? state, DateTimeOffset now)
    {
        if (state is null || state.Deleted) return Decision.Refuse(Refusals.NotFound);
        var owner = state.OwnerId == cmd.By;
        if (!owner && !(cmd.IsAdmin && state.IsPublished)) return Decision.Refuse(Refusals.NotFound);
        return state.IsPublished ? Decision.Accept(new PromptUnpublished(state.Id, cmd.By, !owner, now)) : Decision.NoChange;
    }

    // The copy's first event, for the copier's new stream. Only what is published can be copied, and only the
    // published version of it (later edits of the owner stay private until published).
    public static Decision DecideCopy(CopyPrompt cmd, PromptTemplate? source, PromptTemplate? existingCopy, string author, DateTimeOffset now)
    {
        if (source is not { IsPublished: true } || source.Versions.FirstOrDefault(v => v.Number == source.PublishedVersion) is not { } published)
            return Decision.Refuse(PromptRefusals.NotPublished);
        if (existingCopy is not null)
            return existingCopy.OwnerId == cmd.By && existingCopy.Source?.PromptId == source.Id ? Decision.NoChange : Decision.Refuse(Refusals.IdAlreadyUsed);
        return Decision.Accept(new PromptCreated(cmd.CopyId, cmd.By, published.Content, new PromptSource(source.Id, published.Number, author), now));
    }

    public static Decision DecideCopied(CopyPrompt cmd, PromptTemplate source, DateTimeOffset now) =>
        Decision.Accept(new PromptCopied(source.Id, cmd.CopyId, cmd.By, now));

    private static PromptTemplate? Owned(PromptTemplate? state, string by) => state is { Deleted: false } s && s.OwnerId == by ? s : null;
}
