using Marten;
using Microsoft.AspNetCore.Mvc;
using Sambung.Projections.Conversations;
using Sambung.Web.Features.Accounts;

namespace Sambung.Web.Features.Chats;

public sealed record ChatListModel(IReadOnlyList<ChatListItem> Items, Guid? ActiveId);

// The sidebar's chat list, newest first (pinned first), for the signed-in user only.
public sealed class ChatListViewComponent(IQuerySession session, CurrentUser user) : ViewComponent
{
    public const int PageSize = 50;

    public async Task<IViewComponentResult> InvokeAsync(Guid? activeId) =>
        View("~/Pages/Shared/_ChatList.cshtml",
            new ChatListModel(await session.RecentChatsAsync(user.Id, PageSize, HttpContext.RequestAborted), activeId));
}
