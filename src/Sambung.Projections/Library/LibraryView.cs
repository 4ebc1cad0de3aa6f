using JasperFx.Events;
using Marten.Events.Aggregation;
using Sambung.Events.Library;

namespace Sambung.Projections.Library;

public sealed record FolderView(Guid Id, string Name);

// A user's folders and tags, for the sidebar and the "Move to" and tag menus.
public sealed record LibraryView
{
    public Guid Id { get; init; }
    public List<FolderView> Folders { get; init; } = [];
    public List<string> Tags { get; init; } = [];
    public long Version { get; set; }
}

public sealed partial class LibraryViewProjection : SingleStreamProjection<LibraryView, Guid>
{
    public LibraryView Apply(IEvent<FolderCreated> e, LibraryView v) =>
        v with { Id = e.StreamId, Folders = Sorted(v.Folders.Append(new(e.Data.FolderId, e.Data.Name))) };

    public LibraryView Apply(FolderRenamed e, LibraryView v) =>
        v with { Folders = Sorted(v.Folders.Select(f => f.Id == e.FolderId ? f with { Name = e.Name } : f)) };

    public LibraryView Apply(FolderDeleted e, LibraryView v) => v with { Folders = [.. v.Folders.Where(f => f.Id != e.FolderId)] };

    public LibraryView Apply(IEvent<TagCreated> e, LibraryView v) => v with { Id = e.StreamId, Tags = Sorted(v.Tags.Append(e.Data.Tag)) };

    public LibraryView Apply(TagRenamed e, LibraryView v) => v with { Tags = Sorted(v.Tags.Where(t => t != e.From).Append(e.To)) };

    public LibraryView Apply(TagDeleted e, LibraryView v) => v with { Tags = [.. v.Tags.Where(t => t != e.Tag)] };

    private static List<FolderView> Sorted(IEnumerable<FolderView> folders) =>
        [.. folders.OrderBy(f => f.Name, StringComparer.CurrentCultureIgnoreCase)];

    private static List<string> Sorted(IEnumerable<string> tags) =>
        [.. tags.Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase)];
}
