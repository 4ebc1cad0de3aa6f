using Htmx;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Sambung.Events.Conversations;
using Sambung.Web.Features.Accounts;

namespace Sambung.Web.Pages.Settings;

// "/settings": theme, text size, language and the default system prompt of new chats, stored on the account.
// With htmx each change saves at once; theme and text size apply without a reload, a new language reloads the page.
public sealed class IndexModel(IDocumentSession session, CurrentUser user, IStringLocalizer<SharedResource> text) : PageModel
{
    [BindProperty] public string Theme { get; set; } = UserPreferences.SystemTheme;
    [BindProperty] public int TextSize { get; set; } = UserPreferences.NormalText;
    [BindProperty] public string? Language { get; set; }
    [BindProperty] public string? DefaultSystemPrompt { get; set; }
    public string? Message { get; private set; }
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (await session.LoadAsync<SambungUser>(user.Id, ct) is not { } account) return NotFound();
        (Theme, TextSize, Language, DefaultSystemPrompt) = (account.Theme, account.TextSize, account.Language, account.DefaultSystemPrompt);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (await session.LoadAsync<SambungUser>(user.Id, ct) is not { } account) return NotFound();
        var language = string.IsNullOrEmpty(Language) ? null : Language;
        var prompt = string.IsNullOrWhiteSpace(DefaultSystemPrompt) ? null : DefaultSystemPrompt.Trim();
        if (!UserPreferences.Themes.Contains(Theme) || TextSize is < 0 or >= UserPreferences.TextSizes
            || (language is not null && !UserPreferences.Languages.Contains(language)))
            return Refuse(text["Settings.Invalid"]);
        if (prompt?.Length > ConversationDecisions.MaxSystemPromptLength)
            return Refuse(text["Refusal.SystemPromptTooLong"]);

        var languageChanged = account.Language != language;
        (account.Theme, account.TextSize, account.Language, account.DefaultSystemPrompt) = (Theme, TextSize, language, prompt);
        session.Store(account);
        await session.SaveChangesAsync(ct);
        UserPreferences.Apply(Response, account);

        if (!Request.IsHtmx()) return RedirectToPage(new { saved = true });
        if (languageChanged) Response.Htmx(h => h.Refresh());
        return Content($"<p id=\"settings-status\" class=\"notice\" role=\"status\" hx-swap-oob=\"true\">{System.Net.WebUtility.HtmlEncode(text["Settings.Saved"])}</p>", "text/html");
    }

    private IActionResult Refuse(string message)
    {
        Error = message;
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        if (!Request.IsHtmx()) return Page();
        Response.Htmx(h => h.Reswap("none"));
        return Content($"<p id=\"settings-status\" class=\"form-error\" role=\"alert\" hx-swap-oob=\"true\">{System.Net.WebUtility.HtmlEncode(message)}</p>", "text/html");
    }
}
