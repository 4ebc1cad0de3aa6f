using Htmx;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Sambung.Events.Conversations;
using Sambung.Web.Features.Accounts;
using Sambung.Web.Features.Providers;

namespace Sambung.Web.Pages.Settings;

// "/settings": how the pages look (theme, text size, sidebar width, message density, privacy mode), their language,
// and how new chats start (default model and system prompt), stored on the account. With htmx each change saves at
// once; app.js shows the look at once too, a new language reloads the page.
public sealed class IndexModel(IDocumentSession session, CurrentUser user, ModelChoices models, IStringLocalizer<SharedResource> text) : PageModel
{
    [BindProperty] public string Theme { get; set; } = UserPreferences.SystemTheme;
    [BindProperty] public int TextSize { get; set; } = UserPreferences.NormalText;
    [BindProperty] public string? Language { get; set; }
    [BindProperty] public string? DefaultSystemPrompt { get; set; }
    // Fields a form may leave out keep their saved value (null here); the page's own form always sends them.
    [BindProperty] public int? SidebarWidth { get; set; }
    [BindProperty] public string? MessageDensity { get; set; }
    [BindProperty] public bool? PrivacyMode { get; set; }
    [BindProperty] public string? DefaultModel { get; set; }

    public ModelChoice Models { get; private set; } = null!;
    public ModelRef InstanceDefault { get; private set; } = null!;
    public bool OwnDefaultGone { get; private set; }
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (await session.LoadAsync<SambungUser>(user.Id, ct) is not { } account) return NotFound();
        Show(account);
        await LoadModelsAsync(account, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (await session.LoadAsync<SambungUser>(user.Id, ct) is not { } account) return NotFound();
        var language = string.IsNullOrEmpty(Language) ? null : Language;
        var prompt = string.IsNullOrWhiteSpace(DefaultSystemPrompt) ? null : DefaultSystemPrompt.Trim();
        if (!ModelState.IsValid) return await RefuseAsync(account, text["Settings.Invalid"], ct);
        switch (UserPreferences.Refusal(Theme, TextSize, language, SidebarWidth, MessageDensity))
        {
            case UserPreferences.SidebarOutOfRange:
                return await RefuseAsync(account, text["Settings.SidebarWidthRange", UserPreferences.MinSidebarWidth, UserPreferences.MaxSidebarWidth], ct);
            case { }:
                return await RefuseAsync(account, text["Settings.Invalid"], ct);
        }
        if (prompt?.Length > ConversationDecisions.MaxSystemPromptLength)
            return await RefuseAsync(account, text["Refusal.SystemPromptTooLong"], ct);

        // No field: unchanged. Empty: the instance's default. Otherwise one the user can pick (or the one saved).
        var defaultModel = account.DefaultModel;
        if (Request.HasFormContentType && Request.Form.ContainsKey(nameof(DefaultModel)))
        {
            if (string.IsNullOrEmpty(DefaultModel)) defaultModel = null;
            else if (ModelRefs.Parse(DefaultModel) is { } chosen
                && (ModelRefs.Format(chosen) == account.DefaultModel || await models.OffersAsync(user.Id, chosen, ct)))
                defaultModel = ModelRefs.Format(chosen);
            else return await RefuseAsync(account, text["Settings.UnknownModel"], ct);
        }

        var languageChanged = account.Language != language;
        (account.Theme, account.TextSize, account.Language, account.DefaultSystemPrompt) = (Theme, TextSize, language, prompt);
        account.SidebarWidth = SidebarWidth is { } width ? UserPreferences.SidebarWidth(width)!.Value : account.SidebarWidth;
        account.MessageDensity = MessageDensity ?? account.MessageDensity;
        account.PrivacyMode = PrivacyMode ?? account.PrivacyMode;
        account.DefaultModel = defaultModel;
        session.Store(account);
        await session.SaveChangesAsync(ct);
        UserPreferences.Apply(Response, account);

        if (!Request.IsHtmx()) return RedirectToPage(new { saved = true });
        if (languageChanged) Response.Htmx(h => h.Refresh());
        return Content($"<p id=\"settings-status\" class=\"notice\" role=\"status\" hx-swap-oob=\"true\">{System.Net.WebUtility.HtmlEncode(text["Settings.Saved"])}</p>", "text/html");
    }

    private void Show(SambungUser account)
    {
        (Theme, TextSize, Language, DefaultSystemPrompt) = (account.Theme, account.TextSize, account.Language, account.DefaultSystemPrompt);
        (SidebarWidth, MessageDensity, PrivacyMode) = (account.SidebarWidth, account.MessageDensity, account.PrivacyMode);
    }

    private async Task LoadModelsAsync(SambungUser account, CancellationToken ct)
    {
        var own = await models.UserDefaultAsync(user.Id, ct);
        OwnDefaultGone = account.DefaultModel is not null && own is null;
        DefaultModel = own is null ? "" : ModelRefs.Format(own);
        InstanceDefault = await models.InstanceDefaultAsync(user.Id, ct);
        Models = await models.ForAsync(user.Id, own ?? InstanceDefault, ct);
    }

    // Nothing is saved; the page shows what is saved.
    private async Task<IActionResult> RefuseAsync(SambungUser account, string message, CancellationToken ct)
    {
        Error = message;
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        if (!Request.IsHtmx())
        {
            Show(account);
            await LoadModelsAsync(account, ct);
            return Page();
        }
        Response.Htmx(h => h.Reswap("none"));
        return Content($"<p id=\"settings-status\" class=\"form-error\" role=\"alert\" hx-swap-oob=\"true\">{System.Net.WebUtility.HtmlEncode(message)}</p>", "text/html");
    }
}
