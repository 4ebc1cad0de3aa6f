using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sambung.Events.Prompts;
using Sambung.Web.Features.Accounts;
using Sambung.Web.Features.Chats;
using Sambung.Web.Features.Prompts;

namespace Sambung.Web.Pages.Prompts;

// "/prompts/{id}/use": the prompt's variables as a form (defaults filled in, choices as lists) with a preview that
// follows the typing. "Use" counts the use and puts the text in a new chat's composer; the chat page's slash menu
// loads the same form into a dialog and, asking for JSON, puts the text in the chat's own composer.
public sealed class UseModel(PromptLibrary library, IDocumentSession session, CurrentUser user, TimeProvider clock) : PageModel
{
    public const string InsertHeader = "X-Sambung-Insert";

    public PromptCard Prompt { get; private set; } = null!;
    public IReadOnlyDictionary<string, string?> Values { get; private set; } = new Dictionary<string, string?>();
    public string Preview { get; private set; } = "";
    public ComposerModel? Composer { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct) =>
        await PrepareAsync(id, Request.Query, ct) ? Page() : NotFound();

    // The form alone, for the chat page's dialog.
    public async Task<IActionResult> OnGetFormAsync(Guid id, CancellationToken ct) =>
        await PrepareAsync(id, Request.Query, ct) ? Partial("_PromptUseForm", this) : NotFound();

    // The preview alone, as the form changes: encoded text, never markup.
    public async Task<IActionResult> OnGetPreviewAsync(Guid id, CancellationToken ct) =>
        await PrepareAsync(id, Request.Query, ct) ? Partial("_PromptPreview", Preview) : NotFound();

    public async Task<IActionResult> OnPostAsync(Guid id, CancellationToken ct)
    {
        if (!await PrepareAsync(id, Request.Form, ct)) return NotFound();
        await PromptUses.RecordAsync(session, user.Id, Prompt.Id, clock.GetUtcNow(), ct);
        if (Request.Headers.ContainsKey(InsertHeader))
            return new JsonResult(new { text = Preview, templateId = Prompt.Id, templateVersion = Prompt.Version });
        Composer = ComposerModel.ForNewChat(Preview) with { Template = Prompt.Ref };
        return Page();
    }

    private async Task<bool> PrepareAsync(Guid id, IEnumerable<KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues>> given, CancellationToken ct)
    {
        if (await library.FindAsync(id, ct) is not { } prompt) return false;
        Prompt = prompt;
        Values = PromptRendering.Values(given);
        Preview = prompt.Parsed.IsValid ? prompt.Parsed.Render(Values, PromptRendering.BuiltIns(Request, user.Name, clock.GetUtcNow())) : prompt.Text;
        return true;
    }

    // What a field shows: what was typed, or the default.
    public string ValueOf(TemplateVariable variable) =>
        Values.TryGetValue(variable.Name, out var value) && value is not null ? value : variable.Default;
}
