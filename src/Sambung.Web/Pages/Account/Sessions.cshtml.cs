using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sambung.Web.Features.Accounts;

namespace Sambung.Web.Pages.Account;

// Where this account is signed in, with a way to end any of those sessions or all of them.
public sealed class SessionsModel(UserSessions sessions, CurrentUser user, SignInManager<SambungUser> signIn) : PageModel
{
    public IReadOnlyList<UserSession> Sessions { get; private set; } = [];
    public Guid? Current => user.SessionId;

    public async Task OnGetAsync(CancellationToken ct) => Sessions = await sessions.ListAsync(user.Id, ct);

    public async Task<IActionResult> OnPostRevokeAsync(Guid sessionId, CancellationToken ct)
    {
        if (!await sessions.RevokeAsync(user.Id, sessionId, user.Id, ct)) return NotFound();
        if (sessionId == Current)
        {
            await signIn.SignOutAsync();
            return LocalRedirect("/account/signin");
        }
        return LocalRedirect("/account/sessions");
    }

    public async Task<IActionResult> OnPostRevokeAllAsync(CancellationToken ct)
    {
        await sessions.RevokeAllAsync(user.Id, except: null, user.Id, ct);
        await signIn.SignOutAsync();
        return LocalRedirect("/account/signin");
    }
}
