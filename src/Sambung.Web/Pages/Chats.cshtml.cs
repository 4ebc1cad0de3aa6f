using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sambung.Projections.Conversations;
using Sambung.Web.Features.Chats;

namespace Sambung.Web.Pages;

// "/chats": further pages of the chat list, as a fragment for the sidebar's infinite scroll or as a page of its own.
public sealed class ChatsModel(ChatLists lists) : PageModel
{
    public ChatListModel List { get; private set; } = null!;

    public async Task OnGetAsync([FromQuery] string? after, [FromQuery] ChatListGroup? group, CancellationToken ct) =>
        List = await lists.PageAsync(HttpContext, ChatListCursor.Parse(after), group, null, ct);

    public async Task<IActionResult> OnGetMoreAsync([FromQuery] string? after, [FromQuery] ChatListGroup? group, CancellationToken ct) =>
        ChatListCursor.Parse(after) is { } cursor
            ? Partial("_ChatListItems", await lists.PageAsync(HttpContext, cursor, group, null, ct))
            : BadRequest();
}
