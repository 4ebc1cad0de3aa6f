using System.Net;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;
using Sambung.Projections.Conversations;
using Sambung.Projections.Search;
using Microsoft.Extensions.Localization;
using Sambung.Projections.Library;
using Sambung.Web.Features.Accounts;
using Sambung.Web.Features.Chats;
using Sambung.Web.Features.Providers;

namespace Sambung.Web.Pages;

// One chat in the results: its title, and up to three of its messages that match (each opens at that message).
public sealed record SearchResult(ChatListItem Chat, bool TitleMatches, IReadOnlyList<MessageHit> Hits);

// "/search?q=": titles and the text of every message version (all branches, edited originals), newest first,
// optionally narrowed by folder, pinned, tag, provider, model and a date range (days in the reader's time zone).
public sealed partial class SearchModel(NpgsqlDataSource db, IQuerySession session, CurrentUser user, ProviderRegistry providers,
    ChatLists lists, IStringLocalizer<SharedResource> t) : PageModel
{
    // The newest 90 matching messages: enough for 30 chats of 3 snippets, and a two-word query reads 180 ms less
    // than with 200 over a million messages (docs/benchmarks.md, workspace).
    public const int HitsRead = 90;
    public const int HitsPerChat = 3;
    public const int ChatsShown = 30;
    public const int MaxModelLength = 200;

    [BindProperty(SupportsGet = true, Name = "q")] public string? Q { get; set; }
    [BindProperty(SupportsGet = true)] public Guid? Folder { get; set; }
    [BindProperty(SupportsGet = true)] public bool Pinned { get; set; }
    [BindProperty(SupportsGet = true)] public string? Tag { get; set; }
    [BindProperty(SupportsGet = true)] public string? Provider { get; set; }
    [BindProperty(SupportsGet = true)] public string? Model { get; set; }
    [BindProperty(SupportsGet = true)] public DateOnly? From { get; set; }
    [BindProperty(SupportsGet = true)] public DateOnly? To { get; set; }

    public string Query { get; private set; } = "";
    public string? Error { get; private set; }
    public IReadOnlyList<SearchResult> Results { get; private set; } = [];
    public LibraryView Library { get; private set; } = new();
    public IReadOnlyList<ProviderConnection> Providers { get; private set; } = [];
    public bool Filtered => Folder is not null || Pinned || Tag is not null || Provider is not null || Model is not null || From is not null || To is not null;

    public async Task OnGetAsync(CancellationToken ct)
    {
        Query = (Q ?? "").Trim();
        if (Query.Length > MessageSearch.MaxQueryLength) Query = Query[..MessageSearch.MaxQueryLength];
        Tag = string.IsNullOrWhiteSpace(Tag) ? null : Tag.Trim();
        Provider = string.IsNullOrWhiteSpace(Provider) ? null : Provider.Trim();
        Model = string.IsNullOrWhiteSpace(Model) ? null : Model.Trim();
        Library = await lists.LibraryAsync(ct); // the sidebar reads it too, once per request
        Providers = await providers.AvailableToAsync(user.Id, ct);

        if (!ModelState.IsValid) Error = t["Search.BadFilter"];
        else if (From is { } from && To is { } to && from > to) Error = t["Search.DatesReversed"];
        else if (Model is { Length: > MaxModelLength }) Error = t["Search.BadFilter"];
        if (Error is not null || Query.Length == 0) return;

        var filter = FilterIn(ChatLists.ZoneOf(HttpContext));
        var hits = await MessageSearch.SearchAsync(db, user.Id, Query, HitsRead, ct, filter: filter);
        var titled = await MessageSearch.TitlesAsync(db, user.Id, Query, ChatsShown, ct, filter);

        var order = titled.Concat(hits.Select(h => h.ConversationId)).Distinct().Take(ChatsShown).ToList();
        var chats = (await session.LoadManyAsync<ChatListItem>(ct, order))
            .Where(c => c.OwnerId == user.Id && !c.InTrash).ToDictionary(c => c.Id);
        Results = order.Where(chats.ContainsKey).Select(id => new SearchResult(chats[id], titled.Contains(id),
            hits.Where(h => h.ConversationId == id).Take(HitsPerChat).ToList())).ToList();
    }

    // The days are the reader's: From is the start of that day where they are, To the end of theirs.
    public SearchFilter FilterIn(TimeZoneInfo zone) => new(
        Folder, Pinned, Tag, Provider, Model,
        From is { } from ? StartOf(from, zone) : null,
        To is { } to ? StartOf(to.AddDays(1), zone) : null);

    private static DateTimeOffset StartOf(DateOnly day, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }

    // The snippet as text, with the matched words (marked [[ ]] by ts_headline) in <mark>: markdown's markers
    // dropped (a snippet reads as prose), then encoded, so a message's own markup stays text.
    public static string Highlight(string snippet) =>
        WebUtility.HtmlEncode(MarkdownMarkers().Replace(snippet, "")).Replace("[[", "<mark>").Replace("]]", "</mark>");

    [System.Text.RegularExpressions.GeneratedRegex(@"```[\w+#.-]*|\*\*|__|`|^#{1,6}\s", System.Text.RegularExpressions.RegexOptions.Multiline)]
    private static partial System.Text.RegularExpressions.Regex MarkdownMarkers();
}
