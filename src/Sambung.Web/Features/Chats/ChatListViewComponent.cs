using Marten;
using Microsoft.AspNetCore.Mvc;
using Sambung.Projections.Conversations;
using Sambung.Events.Library;
using Sambung.Projections.Library;
using Sambung.Web.Features.Accounts;

namespace Sambung.Web.Features.Chats;

// A page of the sidebar's chat list. After: the group of the row above this page (a heading is shown only where the
// group changes); More: where the next page starts, when there is one.
public sealed record ChatListModel(IReadOnlyList<(ChatListItem Item, ChatListGroup Group)> Items, Guid? ActiveId,
    ChatListGroup? After = null, ChatListCursor? More = null, ChatListFilter? Filter = null, LibraryView? Library = null)
{
    // The filter as it travels in the "More chats" link.
    public string FilterQuery =>
        (Filter?.Folder is { } folder ? $"&folder={folder}" : "") + (Filter?.Tag is { } tag ? $"&tag={Uri.EscapeDataString(tag)}" : "");
}

// The sidebar's chat list, pinned first then newest, for the signed-in user only, 50 at a time.
// Filtered only where the page says so (the chat list's own page sets FilterKey): other pages have query
// parameters of their own, such as the search page's "folder" and "tag".
public sealed class ChatListViewComponent(ChatLists lists) : ViewComponent
{
    public const string FilterKey = "SidebarFilter";

    public async Task<IViewComponentResult> InvokeAsync(Guid? activeId)
    {
        var filter = ViewData[FilterKey] as ChatListFilter;
        return View("~/Pages/Shared/_ChatList.cshtml", await lists.PageAsync(HttpContext, null, null, activeId, HttpContext.RequestAborted, filter));
    }
}

public sealed class ChatLists(IQuerySession session, CurrentUser user, TimeProvider clock)
{
    public const int PageSize = 50;

    // The browser's time zone (app.js keeps it in a cookie) decides what "Today" is; UTC until it is known.
    public const string TimeZoneCookie = "tz";

    public async Task<ChatListModel> PageAsync(HttpContext http, ChatListCursor? after, ChatListGroup? previous, Guid? activeId,
        CancellationToken ct, ChatListFilter? filter = null)
    {
        var rows = await session.ChatsPageAsync(user.Id, after, PageSize + 1, ct, filter);
        var zone = ZoneOf(http);
        var now = clock.GetUtcNow();
        var page = rows.Take(PageSize).Select(r => (r, ChatListGroups.Of(r, now, zone))).ToList();
        return new(page, activeId, previous, rows.Count > PageSize ? ChatListCursor.Of(rows[PageSize - 1]) : null, filter,
            await LibraryAsync(ct));
    }

    public async Task<LibraryView> LibraryAsync(CancellationToken ct) =>
        library ??= await session.LoadAsync<LibraryView>(UserLibrary.IdFor(user.Id), ct) ?? new LibraryView();

    private LibraryView? library;

    // "?folder=" or "?tag=" of the request, when it names one of the user's own; Unknown when it names something else
    // (another user's folder, a tag never used), which the pages answer with 404.
    public async Task<ChatListFilter?> FilterAsync(HttpContext http, CancellationToken ct)
    {
        var query = http.Request.Query;
        if (!query.ContainsKey("folder") && !query.ContainsKey("tag")) return null;
        var mine = await LibraryAsync(ct);
        Guid? folder = Guid.TryParse(query["folder"], out var f) && mine.Folders.Any(x => x.Id == f) ? f : null;
        var tag = mine.Tags.FirstOrDefault(t => string.Equals(t, query["tag"].ToString().Trim(), StringComparison.OrdinalIgnoreCase));
        return (query.ContainsKey("folder") && folder is null) || (query.ContainsKey("tag") && tag is null) ? Unknown : new(folder, tag);
    }

    public static readonly ChatListFilter Unknown = new(Guid.Empty, null);

    public static TimeZoneInfo ZoneOf(HttpContext http) =>
        http.Request.Cookies[TimeZoneCookie] is { Length: > 0 and < 64 } id && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone)
            ? zone
            : TimeZoneInfo.Utc;
}
