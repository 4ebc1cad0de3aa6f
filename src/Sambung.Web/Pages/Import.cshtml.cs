using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using Sambung.Web.Features.Accounts;
using Sambung.Web.Features.Providers;
using Sambung.Web.Features.Transfer;

namespace Sambung.Web.Pages;

// "/import": brings chats in from a file (our chat JSON, our ZIP of all chats, ChatGPT's conversations.json) and
// offers the ZIP of all chats. The whole file is read and checked before anything is written.
public sealed class ImportModel(ChatImporter importer, ModelChoices models, CurrentUser user, IOptions<ImportLimits> options,
    TimeProvider clock, IStringLocalizer<SharedResource> text) : PageModel
{
    // How many of the imported chats are linked on the page (all of them are in the sidebar).
    public const int Listed = 100;

    public IReadOnlyList<(Guid Id, string Title)> Imported { get; private set; } = [];
    public string? Error { get; private set; }
    public int MaxMegabytes => options.Value.MaxFileMegabytes;

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync(IFormFile? file, CancellationToken ct)
    {
        var limits = options.Value;
        ImportRefusal? refusal;
        if (file is null || file.Length == 0) refusal = new(ImportRefusal.NoFile);
        else if (file.Length > limits.MaxFileBytes) refusal = new(ImportRefusal.TooLarge, limits.MaxFileMegabytes);
        else
        {
            // Read in full before checking: the readers are synchronous and the request body must not be read so.
            var bytes = new MemoryStream((int)file.Length);
            await using (var upload = file.OpenReadStream()) await upload.CopyToAsync(bytes, ct);
            bytes.Position = 0;
            var reading = ImportReader.Read(bytes, user.Id, await models.DefaultForAsync(user.Id, ct), clock.GetUtcNow(), limits);
            refusal = reading.Refusal;
            if (refusal is null)
            {
                var outcome = await importer.ImportAsync(reading.Chats, user.Id, ct);
                refusal = outcome.Refusal;
                Imported = outcome.Chats;
            }
        }
        if (refusal is not null)
        {
            Error = text[$"Import.Refusal.{refusal.Code}", refusal.Args];
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        }
        return Page();
    }
}
