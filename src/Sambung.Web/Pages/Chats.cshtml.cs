using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sambung.Projections.Conversations;
using Sambung.Web.Features.Chats;

namespace Sambung.Web.Pages;

// "/chats": further pages of the chat list, as a fragment for the sidebar's infinite scroll or as a page of its own.
public sealed class ChatsModel(ChatLists lists) : PageModel
{
    public ChatListModel List { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync([FromQuery] string? after, [FromQuery] ChatListGroup? group, CancellationToken ct)
    {
        var filter = await lists.FilterAsync(HttpContext, ct);
        if (filter == ChatLists.Unknown) return NotFound();
        List = await lists.PageAsync(HttpContext, ChatListCursor.Parse(after), group, null, ct, filter);
        return Page();
    }

    // The first page again, for a sidebar told that something changed.
    public async Task<IActionResult> OnGetListAsync([FromQuery] Guid? active, CancellationToken ct)
    {
        var filter = await lists.FilterAsync(HttpContext, ct);
        if (filter == ChatLists.Unknown) return NotFound();
        return Partial("_ChatListBody", await lists.PageAsync(HttpContext, null, null, active, ct, filter));
    }

    public async Task<IActionResult> OnGetMoreAsync([FromQuery] string? after, [FromQuery] ChatListGroup? group, CancellationToken ct)
    {
        var filter = await lists.FilterAsync(HttpContext, ct);
        if (filter == ChatLists.Unknown) return NotFound();
        return ChatListCursor.Parse(after) is { } cursor
            ? Partial("_ChatListItems", await lists.PageAsync(HttpContext, cursor, group, null, ct, filter))
            : BadRequest();
    }
}
