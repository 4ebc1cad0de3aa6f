using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sambung.Web.Features.Accounts;

namespace Sambung.Web.Pages.Account;

public sealed class SignOutModel(SignInManager<SambungUser> signIn, UserSessions sessions) : PageModel
{
    public IActionResult OnGet() => LocalRedirect("/");

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        await sessions.EndAsync(User, ct);
        await signIn.SignOutAsync();
        return LocalRedirect("/account/signin");
    }
}
