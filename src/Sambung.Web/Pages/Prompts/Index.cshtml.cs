using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Sambung.Events.Prompts;
using Sambung.Web.Features.Accounts;
using Sambung.Web.Features.Chats;
using Sambung.Web.Features.Prompts;
using Wolverine;

namespace Sambung.Web.Pages.Prompts;

// "/prompts": the user's prompts and the built-ins, searched, filtered and sorted; import and export; the list the
// composer's slash menu reads.
public sealed class IndexModel(PromptLibrary library, IMessageBus bus, CurrentUser user, IStringLocalizer<SharedResource> text) : PageModel
{
    public IReadOnlyList<PromptCard> Prompts { get; private set; } = [];
    public IReadOnlyList<string> Categories { get; private set; } = [];
    public IReadOnlyList<string> Tags { get; private set; } = [];
    public PromptFilter Filter { get; private set; } = PromptFilter.From(null, null, null, null);
    public string? Message { get; private set; }
    public string? Error { get; private set; }
    public int Total { get; private set; }

    public async Task OnGetAsync([FromQuery] string? q, [FromQuery] string? category, [FromQuery] string? tag, [FromQuery] string? sort,
        [FromQuery] int? imported, CancellationToken ct)
    {
        Filter = PromptFilter.From(q, category, tag, sort);
        if (imported is > 0) Message = text["Prompts.Imported", imported.Value];
        await ListAsync(ct);
    }

    // The slash menu's list: the user's prompts and the built-ins (copied community prompts are the user's own).
    public async Task<IActionResult> OnGetCommandsAsync(CancellationToken ct)
    {
        var all = PromptFilter.From(null, null, null, "used").Apply(await library.AllAsync(ct));
        return new JsonResult(all.Select(p => new
        {
            id = p.Id, version = p.Version, name = p.Name, description = p.Description, category = p.Category,
            builtIn = p.BuiltIn, hasInputs = p.HasInputs,
        }));
    }

    public async Task<IActionResult> OnGetExportAsync(CancellationToken ct)
    {
        var mine = (await library.AllAsync(ct)).Where(p => !p.BuiltIn).OrderBy(p => p.Name, StringComparer.CurrentCultureIgnoreCase);
        return File(PromptTransfer.Export(mine), "application/json", "sambung-prompts.json");
    }

    public async Task<IActionResult> OnPostImportAsync(IFormFile? file, CancellationToken ct)
    {
        if (file is null || file.Length == 0) return await FailAsync(text["Prompts.ImportNoFile"], ct);
        if (file.Length > PromptTransfer.MaxFileBytes) return await FailAsync(text["Prompts.ImportTooLarge", PromptTransfer.MaxFileBytes / 1024 / 1024], ct);
        using var buffer = new MemoryStream();
        await file.CopyToAsync(buffer, ct);
        var names = (await library.AllAsync(ct)).Where(p => !p.BuiltIn).Select(p => p.Name);
        var read = PromptTransfer.Read(buffer.ToArray(), names);
        if (read.Error is { } error)
        {
            var why = read.BadIndex is { } index
                ? text["Prompts.ImportBadPrompt", index, read.BadName ?? "", text[$"Prompts.Refusal.{error}"]]
                : text[$"Prompts.ImportError.{error}"];
            return await FailAsync(text["Prompts.ImportNothing", why], ct);
        }
        var result = await bus.InvokeAsync<CommandResult>(new ImportPrompts([.. read.Prompts], user.Id), ct);
        if (!result.Succeeded) return await FailAsync(text["Prompts.ImportNothing", text[$"Prompts.Refusal.{result.Refusal}"]], ct);
        return Redirect($"/prompts?imported={read.Prompts.Count}");
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
        var all = await library.AllAsync(ct);
        Total = all.Count;
        Prompts = [.. Filter.Apply(all)];
        Categories = [.. all.Select(p => p.Category).Where(c => c.Length > 0).Distinct(StringComparer.CurrentCultureIgnoreCase).Order(StringComparer.CurrentCultureIgnoreCase)];
        Tags = [.. all.SelectMany(p => p.Tags).Distinct(StringComparer.CurrentCultureIgnoreCase).Order(StringComparer.CurrentCultureIgnoreCase)];
    }
}
