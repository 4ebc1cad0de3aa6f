using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Sambung.Events.Library;
using Sambung.Projections.Library;
using Sambung.Web.Features.Accounts;
using Sambung.Web.Features.Chats;
using Wolverine;

namespace Sambung.Web.Pages;

// "/folders": create, rename and delete folders (deleting one moves its chats to no folder).
public sealed class FoldersModel(IQuerySession session, IMessageBus bus, CurrentUser user, IStringLocalizer<SharedResource> text) : PageModel
{
    public IReadOnlyList<FolderView> Folders { get; private set; } = [];
    public string? Message { get; private set; }
    public string? Error { get; private set; }
    public string TypedName { get; private set; } = "";

    public async Task OnGetAsync(CancellationToken ct) => Folders = await FoldersAsync(ct);

    public async Task<IActionResult> OnPostCreateAsync([FromForm] string? name, CancellationToken ct)
    {
        var result = await bus.InvokeAsync<CommandResult>(new CreateFolder(Guid.CreateVersion7(), name ?? "", user.Id), ct);
        if (!result.Succeeded) TypedName = name ?? "";
        return await ShowAsync(result, text["Folders.Created"], ct);
    }

    public async Task<IActionResult> OnPostRenameAsync([FromForm] Guid folderId, [FromForm] string? name, CancellationToken ct)
    {
        if (!await OwnsAsync(folderId, ct)) return NotFound();
        return await ShowAsync(await bus.InvokeAsync<CommandResult>(new RenameFolder(folderId, name ?? "", user.Id), ct), text["Folders.Renamed"], ct);
    }

    public async Task<IActionResult> OnPostDeleteAsync([FromForm] Guid folderId, CancellationToken ct)
    {
        if (!await OwnsAsync(folderId, ct)) return NotFound();
        return await ShowAsync(await bus.InvokeAsync<CommandResult>(new DeleteFolder(folderId, user.Id), ct), text["Folders.Deleted"], ct);
    }

    private async Task<bool> OwnsAsync(Guid folderId, CancellationToken ct) => (await FoldersAsync(ct)).Any(f => f.Id == folderId);

    private async Task<IReadOnlyList<FolderView>> FoldersAsync(CancellationToken ct) =>
        (await session.LoadAsync<LibraryView>(UserLibrary.IdFor(user.Id), ct))?.Folders ?? [];

    private async Task<IActionResult> ShowAsync(CommandResult result, string done, CancellationToken ct)
    {
        if (result.Succeeded) Message = done;
        else
        {
            Error = text[$"Refusal.{result.Refusal}"];
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        }
        Folders = await FoldersAsync(ct);
        return Page();
    }
}
