using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Sambung.Events.Accounts;
using Sambung.Web.Features.Accounts;

namespace Sambung.Web.Pages.Account;

// Single sign-on through the configured OpenID Connect provider. The first sign-in creates the account; an existing
// local account is linked only when the provider vouches for the e-mail address (email_verified).
public sealed class ExternalModel(
    SignInManager<SambungUser> signIn, UserManager<SambungUser> users, AccountSignIn accounts, IDocumentSession session,
    TimeProvider clock, IStringLocalizer<SharedResource> text, SsoOptions? sso = null) : PageModel
{
    public string? Error { get; private set; }

    public IActionResult OnGet() => LocalRedirect("/account/signin");

    public IActionResult OnPostChallenge(string? returnUrl)
    {
        if (sso is null) return NotFound();
        var callback = $"/account/external?handler=Callback&returnUrl={Uri.EscapeDataString(SafeReturnUrl.Of(Url, returnUrl))}";
        return Challenge(signIn.ConfigureExternalAuthenticationProperties(SsoOptions.Scheme, callback), SsoOptions.Scheme);
    }

    public async Task<IActionResult> OnGetCallbackAsync(string? returnUrl, CancellationToken ct)
    {
        if (sso is null) return NotFound();
        var info = await signIn.GetExternalLoginInfoAsync();
        if (info is null) return Fail("External.Failed");
        await HttpContext.SignOutAsync(IdentityConstants.ExternalScheme);

        var claims = info.Principal;
        var email = claims.FindFirstValue("email") ?? claims.FindFirstValue(ClaimTypes.Email);
        var verified = string.Equals(claims.FindFirstValue("email_verified"), "true", StringComparison.OrdinalIgnoreCase);
        var name = claims.FindFirstValue("name") ?? claims.FindFirstValue("preferred_username") ?? email ?? "";
        var now = clock.GetUtcNow();

        var user = await users.FindByLoginAsync(info.LoginProvider, info.ProviderKey);
        if (user is null && email is not null && await users.FindByEmailAsync(email) is { } existing)
        {
            if (!verified) return Fail("External.Unverified");
            await users.AddLoginAsync(existing, info);
            session.Events.Append(AccountStream.IdFor(existing.Id), new ExternalLoginLinked(existing.Id, sso.DisplayName, existing.Id, now));
            await session.SaveChangesAsync(ct);
            user = existing;
        }
        if (user is null)
        {
            var settings = await InstanceSettings.LoadAsync(session, ct);
            if (settings.Registration == RegistrationMode.Closed) return Fail("Register.Closed");
            user = await accounts.NewUserAsync(name, email ?? $"{info.ProviderKey}@sso.invalid", settings, ct);
            user.EmailConfirmed = verified;
            var created = await users.CreateAsync(user);
            if (!created.Succeeded) return Fail("External.Failed");
            await users.AddLoginAsync(user, info);
            session.Events.Append(AccountStream.IdFor(user.Id), new AccountRegistered(user.Id, user.Email, "oidc", user.IsAdmin, now));
            await session.SaveChangesAsync(ct);
        }

        // Membership of the configured admin group makes the account an admin.
        if (sso.AdminClaimValue is { } adminGroup && !user.IsAdmin
            && claims.FindAll(sso.AdminClaimType).Any(c => c.Value == adminGroup))
        {
            await users.AddToRoleAsync(user, Roles.Admin);
            session.Events.Append(AccountStream.IdFor(user.Id), new RoleGranted(user.Id, Roles.Admin, "sso", now));
            await session.SaveChangesAsync(ct);
        }

        if (user.Disabled) return Fail("SignIn.Disabled");
        if (!user.Approved) return Fail("SignIn.AwaitingApproval");
        await accounts.CompleteAsync(user, "oidc", HttpContext, ct);
        return LocalRedirect(SafeReturnUrl.Of(Url, returnUrl));
    }

    private PageResult Fail(string key)
    {
        Error = text[key];
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }
}
