using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Sambung.Events.Prompts;
using Sambung.Web.Features.Accounts;
using Sambung.Web.Features.Chats;
using Sambung.Web.Features.Prompts;
using Wolverine;

namespace Sambung.Web.Pages.Prompts;

public sealed class PromptForm
{
    public Guid PromptId { get; set; }
    public long? ExpectedVersion { get; set; }
    public string? Name { get; set; }
    public string? Description { get; set; }
    public string? Text { get; set; }
    public string? Category { get; set; }
    public string? Tags { get; set; } // comma-separated

    public PromptContent Content() => new(Name ?? "", Description ?? "", Text ?? "", Category ?? "",
        [.. (Tags ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]);
}

// "/prompts/edit" makes a prompt; "/prompts/edit/{id}" saves a new version of one. A malformed template is
// refused with every problem listed by line and column, and the typed text stays in the form.
public sealed class EditModel(PromptLibrary library, IMessageBus bus, CurrentUser user, IStringLocalizer<SharedResource> text) : PageModel
{
    [BindProperty]
    public PromptForm Form { get; set; } = new();
    public bool IsNew { get; private set; }
    public string? Error { get; private set; }
    public IReadOnlyList<string> TemplateErrors { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(Guid? id, CancellationToken ct)
    {
        if (id is null)
        {
            IsNew = true;
            Form = new PromptForm { PromptId = Guid.CreateVersion7() };
            return Page();
        }
        if (await library.OwnAsync(id.Value, ct) is not { } prompt) return NotFound();
        Form = new PromptForm
        {
            PromptId = prompt.Id, ExpectedVersion = prompt.Version, Name = prompt.Name, Description = prompt.Description,
            Text = prompt.Text, Category = prompt.Category, Tags = string.Join(", ", prompt.Tags),
        };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(Guid? id, CancellationToken ct)
    {
        IsNew = id is null;
        if (Form.PromptId == Guid.Empty || (id is { } given && given != Form.PromptId)) return BadRequest();
        if (!IsNew && await library.OwnAsync(Form.PromptId, ct) is null) return NotFound();

        var parsed = TemplateSyntax.Parse(Form.Text);
        if (!parsed.IsValid)
        {
            TemplateErrors = [.. parsed.Errors.Select(e => PromptRendering.Describe(e, text))];
            return Refused(text["Prompts.Refusal.PromptInvalidTemplate"]);
        }
        object command = IsNew ? new CreatePrompt(Form.PromptId, Form.Content(), user.Id) : new EditPrompt(Form.PromptId, Form.Content(), user.Id);
        var result = await bus.InvokeAsync<CommandResult>(new PromptCommand(command, Form.PromptId, IsNew ? null : Form.ExpectedVersion), ct);
        if (result.Status == CommandStatus.NotFound) return NotFound();
        if (result.Status == CommandStatus.Conflict) return Refused(text["Prompts.Conflict"]);
        if (!result.Succeeded) return Refused(text[$"Prompts.Refusal.{result.Refusal}"]);
        return Redirect($"/prompts/{Form.PromptId}?done=saved");
    }

    private PageResult Refused(string error)
    {
        Error = error;
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return Page();
    }
}
