using JasperFx.Events;
using Marten.Events.Aggregation;
using Sambung.Events.Prompts;

namespace Sambung.Projections.Prompts;

// The version shared with the community library, as it was when published.
public sealed record PublishedPrompt(int Version, string Name, string Description, string Text, string Category,
    List<string> Tags, string AuthorName, DateTimeOffset PublishedAt);

// A prompt as the library lists it: its current version, whether (and what) it shares, how often it was copied.
// The history of versions is read from the prompt's own stream (PromptStreams) where a page shows it.
public sealed record PromptView
{
    public Guid Id { get; init; }
    public string OwnerId { get; init; } = "";
    public string Name { get; init; } = "";
    public string Description { get; init; } = "";
    public string Text { get; init; } = "";
    public string Category { get; init; } = "";
    public List<string> Tags { get; init; } = [];
    public int CurrentVersion { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public PromptSource? Source { get; init; }
    public bool Deleted { get; init; }
    public bool IsPublic { get; init; }
    public PublishedPrompt? Public { get; init; }
    public int Copies { get; init; }
    public long Version { get; set; } // the stream's, set by Marten: edit forms carry it back
}

public sealed partial class PromptViewProjection : SingleStreamProjection<PromptView, Guid>
{
    public PromptView Create(PromptCreated e) => With(new PromptView
    {
        Id = e.PromptId, OwnerId = e.OwnerId, CreatedAt = e.At, Source = e.Source,
    }, e.Content, 1, e.At);

    public PromptView Apply(PromptEdited e, PromptView v) => With(v, e.Content, e.Version, e.At);

    public PromptView Apply(PromptVersionRestored e, PromptView v) => With(v, e.Content, e.Version, e.At);

    public PromptView Apply(PromptDeleted e, PromptView v) => v with { Deleted = true, IsPublic = false, Public = null };

    public PromptView Apply(PromptPublished e, PromptView v) => v with
    {
        IsPublic = true,
        Public = new(e.Version, v.Name, v.Description, v.Text, v.Category, [.. v.Tags], e.AuthorName, e.At),
    };

    public PromptView Apply(PromptUnpublished e, PromptView v) => v with { IsPublic = false, Public = null };

    public PromptView Apply(PromptCopied e, PromptView v) => v with { Copies = v.Copies + 1 };

    private static PromptView With(PromptView v, PromptContent c, int version, DateTimeOffset at) => v with
    {
        Name = c.Name, Description = c.Description, Text = c.Text, Category = c.Category, Tags = [.. c.Tags],
        CurrentVersion = version, UpdatedAt = at,
    };
}

// How often a person used a prompt (their own or a built-in), for "Most used". A plain counter, not an event:
// using a prompt changes nothing about it, and must not move its version (an open edit form would conflict).
public sealed record PromptUse
{
    public string Id { get; init; } = "";
    public string OwnerId { get; init; } = "";
    public Guid PromptId { get; init; }
    public int Count { get; init; }
    public DateTimeOffset LastUsed { get; init; }

    public static string IdFor(string ownerId, Guid promptId) => $"{ownerId}:{promptId:N}";
}
