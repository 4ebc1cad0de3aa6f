using System.ComponentModel.DataAnnotations;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Sambung.Web.Features.Accounts;

namespace Sambung.Web.Pages.Account;

public sealed class RegisterModel(AccountSignIn accounts, RequestLimits limits, IQuerySession session, IStringLocalizer<SharedResource> text) : PageModel
{
    public const int MaxDisplayName = 80;

    [BindProperty, Required(ErrorMessage = "Validation.Required"), StringLength(MaxDisplayName, ErrorMessage = "Validation.TooLong"), Display(Name = "Account.DisplayName")]
    public string DisplayName { get; set; } = "";

    [BindProperty, Required(ErrorMessage = "Validation.Required"), EmailAddress(ErrorMessage = "Validation.Email"), StringLength(254, ErrorMessage = "Validation.TooLong"), Display(Name = "Account.Email")]
    public string Email { get; set; } = "";

    [BindProperty, Required(ErrorMessage = "Validation.Required"), StringLength(256, MinimumLength = 8, ErrorMessage = "Validation.PasswordLength"), DataType(DataType.Password), Display(Name = "Account.Password")]
    public string Password { get; set; } = "";

    public string? Error { get; private set; }
    public string? Notice { get; private set; }
    public InstanceSettings Settings { get; private set; } = new();

    public async Task OnGetAsync(CancellationToken ct) => Settings = await InstanceSettings.LoadAsync(session, ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (limits.SignIn(HttpContext) is { } wait) return RateLimited.Response(HttpContext, wait);
        Settings = await InstanceSettings.LoadAsync(session, ct);
        if (!ModelState.IsValid) return Page();

        var (outcome, errors) = await accounts.RegisterAsync(DisplayName, Email, Password, HttpContext, ct);
        switch (outcome)
        {
            case RegisterOutcome.Registered:
                return LocalRedirect("/");
            case RegisterOutcome.AwaitingApproval:
                Notice = text["Register.AwaitingApproval"];
                return Page();
            default:
                Error = outcome == RegisterOutcome.Invalid
                    ? string.Join(" ", errors.Select(code => text[$"Identity.{code}"].ResourceNotFound ? text["Identity.Invalid"].Value : text[$"Identity.{code}"].Value).Distinct())
                    : text[$"Register.{outcome}"];
                Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
                return Page();
        }
    }
}
