using Marten;
using Microsoft.AspNetCore.Mvc;
using Sambung.Projections.Conversations;
using Sambung.Web.Features.Accounts;

namespace Sambung.Web.Features.Chats;

// A page of the sidebar's chat list. After: the group of the row above this page (a heading is shown only where the
// group changes); More: where the next page starts, when there is one.
public sealed record ChatListModel(IReadOnlyList<(ChatListItem Item, ChatListGroup Group)> Items, Guid? ActiveId,
    ChatListGroup? After = null, ChatListCursor? More = null);

// The sidebar's chat list, pinned first then newest, for the signed-in user only, 50 at a time.
public sealed class ChatListViewComponent(ChatLists lists) : ViewComponent
{
    public async Task<IViewComponentResult> InvokeAsync(Guid? activeId) =>
        View("~/Pages/Shared/_ChatList.cshtml", await lists.PageAsync(HttpContext, null, null, activeId, HttpContext.RequestAborted));
}

public sealed class ChatLists(IQuerySession session, CurrentUser user, TimeProvider clock)
{
    public const int PageSize = 50;

    // The browser's time zone (app.js keeps it in a cookie) decides what "Today" is; UTC until it is known.
    public const string TimeZoneCookie = "tz";

    public async Task<ChatListModel> PageAsync(HttpContext http, ChatListCursor? after, ChatListGroup? previous, Guid? activeId, CancellationToken ct)
    {
        var rows = await session.ChatsPageAsync(user.Id, after, PageSize + 1, ct);
        var zone = ZoneOf(http);
        var now = clock.GetUtcNow();
        var page = rows.Take(PageSize).Select(r => (r, ChatListGroups.Of(r, now, zone))).ToList();
        return new(page, activeId, previous, rows.Count > PageSize ? ChatListCursor.Of(rows[PageSize - 1]) : null);
    }

    private static TimeZoneInfo ZoneOf(HttpContext http) =>
        http.Request.Cookies[TimeZoneCookie] is { Length: > 0 and < 64 } id && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone)
            ? zone
            : TimeZoneInfo.Utc;
}
