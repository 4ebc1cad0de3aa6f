using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Sambung.Events.Prompts;
using Sambung.Web.Features.Accounts;
using Sambung.Web.Features.Chats;
using Sambung.Web.Features.Prompts;
using Wolverine;

namespace Sambung.Web.Pages.Prompts;

// "/prompts/{id}": one prompt, its variables and its history. Own prompts can be edited, duplicated, deleted,
// published (after a confirmation) and restored to any earlier version; built-ins can be used and copied.
public sealed class DetailsModel(PromptLibrary library, PromptStreams streams, IQuerySession session, IMessageBus bus,
    CurrentUser user, IStringLocalizer<SharedResource> text) : PageModel
{
    public PromptCard Prompt { get; private set; } = null!;
    public PromptTemplate? History { get; private set; }
    public Sambung.Projections.Prompts.PromptView? View { get; private set; }
    public int? Compare { get; private set; }
    public IReadOnlyList<DiffLine> Diff { get; private set; } = [];
    public bool ConfirmPublish { get; private set; }
    public string? Message { get; private set; }
    public string? Error { get; private set; }

    public bool IsOwn => !Prompt.BuiltIn;

    public async Task<IActionResult> OnGetAsync(Guid id, [FromQuery] int? compare, [FromQuery] string? confirm, [FromQuery] string? done,
        CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        ConfirmPublish = confirm == "publish" && IsOwn;
        if (done is "saved" or "restored" or "published" or "unpublished" or "copied") Message = text[$"Prompts.Done.{done}"];
        if (compare is { } n && History?.Versions.FirstOrDefault(v => v.Number == n) is { } after)
        {
            Compare = n;
            var before = History.Versions.LastOrDefault(v => v.Number < n);
            Diff = TextDiff.Lines(before?.Content.Text ?? "", after.Content.Text);
        }
        return Page();
    }

    public async Task<IActionResult> OnPostCopyAsync(Guid id, CancellationToken ct)
    {
        if (await library.FindAsync(id, ct) is not { } prompt) return NotFound();
        var taken = (await library.AllAsync(ct)).Where(p => !p.BuiltIn).Select(p => p.Name).ToHashSet(StringComparer.CurrentCultureIgnoreCase);
        var name = PromptTransfer.Unique(prompt.Name, taken);
        var copy = Guid.CreateVersion7();
        var content = new PromptContent(name.Length <= PromptTemplate.MaxNameLength ? name : prompt.Name, prompt.Description, prompt.Text, prompt.Category, prompt.Tags);
        var result = await bus.InvokeAsync<CommandResult>(new PromptCommand(
            new CreatePrompt(copy, content, user.Id, new PromptSource(prompt.Id, prompt.Version, null)), copy), ct);
        return result.Succeeded ? Redirect($"/prompts/{copy}?done=copied") : await RefusedAsync(id, result, ct);
    }

    public Task<IActionResult> OnPostDeleteAsync(Guid id, CancellationToken ct) =>
        RunAsync(id, new DeletePrompt(id, user.Id), null, "/prompts", ct);

    public Task<IActionResult> OnPostPublishAsync(Guid id, CancellationToken ct) =>
        RunAsync(id, new PublishPrompt(id, user.Name, user.Id), null, $"/prompts/{id}?done=published", ct);

    public Task<IActionResult> OnPostUnpublishAsync(Guid id, CancellationToken ct) =>
        RunAsync(id, new UnpublishPrompt(id, user.Id, false), null, $"/prompts/{id}?done=unpublished", ct);

    public Task<IActionResult> OnPostRestoreAsync(Guid id, [FromForm] int version, [FromForm] long? expectedVersion, CancellationToken ct) =>
        RunAsync(id, new RestorePromptVersion(id, version, user.Id), expectedVersion, $"/prompts/{id}?done=restored", ct);

    private async Task<IActionResult> RunAsync(Guid id, object command, long? expectedVersion, string then, CancellationToken ct)
    {
        if (await library.OwnAsync(id, ct) is null) return NotFound();
        var result = await bus.InvokeAsync<CommandResult>(new PromptCommand(command, id, expectedVersion), ct);
        if (result.Status == CommandStatus.NotFound) return NotFound();
        return result.Succeeded ? Redirect(then) : await RefusedAsync(id, result, ct);
    }

    private async Task<IActionResult> RefusedAsync(Guid id, CommandResult result, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        Error = result.Status == CommandStatus.Conflict ? text["Prompts.Conflict"] : text[$"Prompts.Refusal.{result.Refusal}"];
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return Page();
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        if (await library.FindAsync(id, ct) is not { } prompt) return false;
        Prompt = prompt;
        if (!prompt.BuiltIn)
        {
            View = await library.OwnAsync(id, ct);
            History = await streams.LoadAsync(session, id, ct);
        }
        return true;
    }
}
