using System.ComponentModel.DataAnnotations;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Sambung.Web.Features.Accounts;

namespace Sambung.Web.Pages.Account;

public sealed class SignInModel(AccountSignIn accounts, RequestLimits limits, IQuerySession session, IStringLocalizer<SharedResource> text, SsoOptions? sso = null) : PageModel
{
    [BindProperty, Required(ErrorMessage = "Validation.Required"), EmailAddress(ErrorMessage = "Validation.Email"), Display(Name = "Account.Email")]
    public string Email { get; set; } = "";

    [BindProperty, Required(ErrorMessage = "Validation.Required"), DataType(DataType.Password), Display(Name = "Account.Password")]
    public string Password { get; set; } = "";

    [FromQuery] public string? ReturnUrl { get; set; }

    public string? Error { get; private set; }
    public SsoOptions? Sso => sso;
    public InstanceSettings Settings { get; private set; } = new();

    public async Task OnGetAsync(CancellationToken ct) => Settings = await InstanceSettings.LoadAsync(session, ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (limits.SignIn(HttpContext) is { } wait) return RateLimited.Response(HttpContext, wait);
        Settings = await InstanceSettings.LoadAsync(session, ct);
        if (!ModelState.IsValid) return Page();

        var outcome = await accounts.PasswordAsync(Email, Password, HttpContext, ct);
        if (outcome == SignInOutcome.SignedIn) return LocalRedirect(SafeReturnUrl.Of(Url, ReturnUrl));

        Error = text[$"SignIn.{outcome}"];
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        return Page();
    }
}
