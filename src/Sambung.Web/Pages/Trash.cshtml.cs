using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Sambung.Events.Conversations;
using Sambung.Projections.Conversations;
using Sambung.Web.Features.Accounts;
using Sambung.Web.Features.Chats;
using Wolverine;

namespace Sambung.Web.Pages;

// "/trash": deleted chats, restorable for 30 days (then purged by TrashSweeper), or deleted forever now.
public sealed class TrashModel(IQuerySession session, IMessageBus bus, CurrentUser user, IStringLocalizer<SharedResource> text) : PageModel
{
    public const int Shown = 200;

    public IReadOnlyList<ChatListItem> Chats { get; private set; } = [];
    public string? Message { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => Chats = await session.TrashAsync(user.Id, Shown, ct);

    public async Task<IActionResult> OnPostRestoreAsync([FromForm] Guid id, [FromForm] bool open, CancellationToken ct)
    {
        var result = await bus.RunAsync(new RestoreConversation(id, user.Id), null, ct);
        if (result.Status == CommandStatus.NotFound) return NotFound();
        if (open && result.Succeeded) return Redirect($"/c/{id}");
        return await ShowAsync(result.Succeeded ? text["Trash.Restored"] : text[$"Refusal.{result.Refusal}"], ct);
    }

    // Deleting forever removes every piece of the chat's text (see the conversation core's purge).
    public async Task<IActionResult> OnPostPurgeAsync([FromForm] Guid id, CancellationToken ct)
    {
        var result = await bus.RunAsync(new PurgeConversation(id, user.Id, "user"), null, ct);
        if (result.Status == CommandStatus.NotFound) return NotFound();
        return await ShowAsync(result.Succeeded ? text["Trash.Purged"] : text[$"Refusal.{result.Refusal}"], ct);
    }

    private async Task<IActionResult> ShowAsync(string message, CancellationToken ct)
    {
        Message = message;
        Chats = await session.TrashAsync(user.Id, Shown, ct);
        return Page();
    }

}
