using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Sambung.Events.Prompts;
using Sambung.Projections.Prompts;
using Sambung.Web.Features.Accounts;
using Sambung.Web.Features.Chats;
using Sambung.Web.Features.Prompts;
using Wolverine;

namespace Sambung.Web.Pages.Prompts;

// "/prompts/community": what people on this instance have published, with author, date and copies. Anyone can
// copy one into their prompts (the copy remembers where it came from); the author, or an admin, can unpublish.
public sealed class CommunityModel(PromptLibrary library, IMessageBus bus, CurrentUser user, IStringLocalizer<SharedResource> text) : PageModel
{
    public IReadOnlyList<PromptView> Prompts { get; private set; } = [];
    public string? Query { get; private set; }
    public string? Message { get; private set; }
    public string? Error { get; private set; }
    public string UserId => user.Id;
    public bool IsAdmin => user.IsAdmin;

    public async Task OnGetAsync([FromQuery] string? q, [FromQuery] string? done, CancellationToken ct)
    {
        Query = string.IsNullOrWhiteSpace(q) ? null : q.Trim();
        if (done == "unpublished") Message = text["Prompts.Done.unpublished"];
        await ListAsync(ct);
    }

    public async Task<IActionResult> OnPostCopyAsync([FromForm] Guid id, [FromForm] Guid copyId, CancellationToken ct)
    {
        if (copyId == Guid.Empty) return BadRequest();
        if (await library.PublicAsync(id, ct) is null) return NotFound();
        var result = await bus.InvokeAsync<CommandResult>(new CopyPrompt(id, copyId, user.Id), ct);
        if (result.Succeeded) return Redirect($"/prompts/{copyId}?done=copied");
        return await FailAsync(text[$"Prompts.Refusal.{result.Refusal}"], ct);
    }

    public async Task<IActionResult> OnPostUnpublishAsync([FromForm] Guid id, CancellationToken ct)
    {
        if (await library.PublicAsync(id, ct) is null) return NotFound();
        var result = await bus.InvokeAsync<CommandResult>(new PromptCommand(new UnpublishPrompt(id, user.Id, user.IsAdmin), id), ct);
        if (result.Status == CommandStatus.NotFound) return NotFound();
        if (result.Succeeded) return Redirect("/prompts/community?done=unpublished");
        return await FailAsync(text[$"Prompts.Refusal.{result.Refusal}"], ct);
    }

    private async Task<IActionResult> FailAsync(string error, CancellationToken ct)
    {
        Error = error;
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        await ListAsync(ct);
        return Page();
    }

    private async Task ListAsync(CancellationToken ct)
    {
        var all = await library.CommunityAsync(ct);
        Prompts = Query is null ? all : [.. all.Where(p => Matches(p.Public!))];
    }

    private bool Matches(PublishedPrompt p) =>
        p.Name.Contains(Query!, StringComparison.CurrentCultureIgnoreCase) || p.Description.Contains(Query!, StringComparison.CurrentCultureIgnoreCase)
        || p.Text.Contains(Query!, StringComparison.CurrentCultureIgnoreCase) || p.Category.Contains(Query!, StringComparison.CurrentCultureIgnoreCase)
        || p.AuthorName.Contains(Query!, StringComparison.CurrentCultureIgnoreCase) || p.Tags.Any(t => t.Contains(Query!, StringComparison.CurrentCultureIgnoreCase));
}
