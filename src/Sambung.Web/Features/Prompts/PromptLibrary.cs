using System.Globalization;
using Marten;
using Sambung.Events.Conversations;
using Sambung.Events.Prompts;
using Sambung.Projections.Prompts;
using Sambung.Web.Features.Accounts;

namespace Sambung.Web.Features.Prompts;

// A prompt as the library, the slash menu and the use form show it: one of the user's own, or a built-in.
public sealed record PromptCard(Guid Id, int Version, string Name, string Description, string Text, string Category,
    IReadOnlyList<string> Tags, bool BuiltIn, DateTimeOffset? UpdatedAt, int Uses, PromptSource? Source, bool IsPublic)
{
    public ParsedTemplate Parsed => parsed ??= TemplateSyntax.Parse(Text);
    private ParsedTemplate? parsed;

    public bool HasInputs => Parsed.Inputs.Count > 0;
    public TemplateRef Ref => new(Id, Version);
}

public sealed record PromptFilter(string? Query, string? Category, string? Tag, string Sort)
{
    public static readonly string[] Sorts = ["name", "recent", "used"];

    public static PromptFilter From(string? q, string? category, string? tag, string? sort) =>
        new(Blank(q), Blank(category), Blank(tag), Sorts.Contains(sort) ? sort! : "name");

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    public IEnumerable<PromptCard> Apply(IEnumerable<PromptCard> cards)
    {
        var matching = cards.Where(c =>
            (Query is null || Contains(c.Name) || Contains(c.Description) || Contains(c.Text) || Contains(c.Category)
                || c.Tags.Any(Contains))
            && (Category is null || string.Equals(c.Category, Category, StringComparison.CurrentCultureIgnoreCase))
            && (Tag is null || c.Tags.Contains(Tag, StringComparer.CurrentCultureIgnoreCase)));
        var byName = StringComparer.Create(CultureInfo.CurrentCulture, CompareOptions.IgnoreCase);
        return Sort switch
        {
            "recent" => matching.OrderByDescending(c => c.UpdatedAt ?? DateTimeOffset.MinValue).ThenBy(c => c.Name, byName),
            "used" => matching.OrderByDescending(c => c.Uses).ThenBy(c => c.Name, byName),
            _ => matching.OrderBy(c => c.Name, byName),
        };
    }

    private bool Contains(string text) => text.Contains(Query!, StringComparison.CurrentCultureIgnoreCase);
}

// Every read of prompts, scoped to the signed-in user (a prompt of someone else is simply not found), plus the
// community library, which everyone reads.
public sealed class PromptLibrary(IQuerySession session, CurrentUser user)
{
    public async Task<IReadOnlyList<PromptCard>> AllAsync(CancellationToken ct)
    {
        var uses = await UsesAsync(ct);
        var mine = await session.Query<PromptView>().Where(p => p.OwnerId == user.Id && !p.Deleted).ToListAsync(ct);
        return [.. mine.Select(p => Card(p, uses)), .. BuiltInPrompts.All.Select(b => Card(b, uses))];
    }

    public async Task<PromptView?> OwnAsync(Guid id, CancellationToken ct) =>
        await session.LoadAsync<PromptView>(id, ct) is { Deleted: false } view && view.OwnerId == user.Id ? view : null;

    // One of the user's prompts or a built-in; null for anything else (someone else's, deleted, unknown).
    public async Task<PromptCard?> FindAsync(Guid id, CancellationToken ct)
    {
        if (BuiltInPrompts.Find(id) is { } builtIn) return Card(builtIn, new Dictionary<Guid, PromptUse>());
        return await OwnAsync(id, ct) is { } view ? Card(view, new Dictionary<Guid, PromptUse>()) : null;
    }

    public async Task<IReadOnlyList<PromptView>> CommunityAsync(CancellationToken ct) =>
        [.. (await session.Query<PromptView>().Where(p => p.IsPublic).ToListAsync(ct)).Where(p => p.Public is not null)
            .OrderByDescending(p => p.Public!.PublishedAt)];

    public async Task<PromptView?> PublicAsync(Guid id, CancellationToken ct) =>
        await session.LoadAsync<PromptView>(id, ct) is { IsPublic: true, Public: not null } view ? view : null;

    private async Task<Dictionary<Guid, PromptUse>> UsesAsync(CancellationToken ct) =>
        (await session.Query<PromptUse>().Where(u => u.OwnerId == user.Id).ToListAsync(ct)).ToDictionary(u => u.PromptId);

    private static PromptCard Card(PromptView p, IReadOnlyDictionary<Guid, PromptUse> uses) =>
        new(p.Id, p.CurrentVersion, p.Name, p.Description, p.Text, p.Category, p.Tags, false, p.UpdatedAt,
            uses.TryGetValue(p.Id, out var u) ? u.Count : 0, p.Source, p.IsPublic);

    private static PromptCard Card(BuiltInPrompts.BuiltIn b, IReadOnlyDictionary<Guid, PromptUse> uses)
    {
        var text = b.In(CultureInfo.CurrentUICulture);
        return new(b.Id, BuiltInPrompts.Version, text.Name, text.Description, text.Template, text.Category, b.Tags, true, null,
            uses.TryGetValue(b.Id, out var u) ? u.Count : 0, null, false);
    }
}

// Counting uses: one small document per person and prompt (two tabs using one prompt at the same instant may count
// once; a sort order does not need more).
public static class PromptUses
{
    public static async Task RecordAsync(IDocumentSession session, string ownerId, Guid promptId, DateTimeOffset now, CancellationToken ct)
    {
        var id = PromptUse.IdFor(ownerId, promptId);
        var current = await session.LoadAsync<PromptUse>(id, ct);
        session.Store((current ?? new PromptUse { Id = id, OwnerId = ownerId, PromptId = promptId }) with
        {
            Count = (current?.Count ?? 0) + 1,
            LastUsed = now,
        });
        await session.SaveChangesAsync(ct);
    }
}
