using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Sambung.Web.Features.Accounts;

namespace Sambung.Web.Pages.Admin;

public sealed class SettingsModel(IDocumentSession session, IStringLocalizer<SharedResource> text, SsoOptions? sso = null) : PageModel
{
    [BindProperty] public RegistrationMode Registration { get; set; }
    [BindProperty] public bool LocalSignInEnabled { get; set; }
    public bool SsoConfigured => sso is not null;
    public string? Message { get; private set; }
    public string? Error { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        var settings = await InstanceSettings.LoadAsync(session, ct);
        (Registration, LocalSignInEnabled) = (settings.Registration, settings.LocalSignInEnabled);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        // Switching local sign-in off is only allowed when there is another way in.
        if (!LocalSignInEnabled && sso is null)
        {
            Error = text["Admin.NeedSso"];
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }
        var settings = await InstanceSettings.LoadAsync(session, ct);
        settings.Registration = Enum.IsDefined(Registration) ? Registration : RegistrationMode.Open;
        settings.LocalSignInEnabled = LocalSignInEnabled;
        session.Store(settings);
        await session.SaveChangesAsync(ct);
        Message = text["Admin.Saved"];
        return Page();
    }
}
