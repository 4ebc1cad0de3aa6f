using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Identity;
using Sambung.Events.Accounts;

namespace Sambung.Web.Features.Accounts;

public enum SignInOutcome { SignedIn, WrongCredentials, LockedOut, Disabled, AwaitingApproval, LocalSignInDisabled }

public enum RegisterOutcome { Registered, AwaitingApproval, Closed, EmailTaken, Invalid }

// Signing in and registering locally: Identity checks the password and lockout; this adds the server-side session
// and the audit events.
public sealed class AccountSignIn(
    UserManager<SambungUser> users, SignInManager<SambungUser> signIn, UserSessions sessions, IDocumentSession session,
    IPasswordHasher<SambungUser> hasher, TimeProvider clock)
{
    // Compared against when the e-mail is unknown, so both failures take the same time.
    private static readonly SambungUser Nobody = new();
    private static string? nobodyHash;

    public async Task<SignInOutcome> PasswordAsync(string email, string password, HttpContext http, CancellationToken ct)
    {
        var settings = await InstanceSettings.LoadAsync(session, ct);
        if (!settings.LocalSignInEnabled) return SignInOutcome.LocalSignInDisabled;

        var user = await users.FindByEmailAsync(email.Trim());
        if (user is null || user.PasswordHash is null)
        {
            nobodyHash ??= hasher.HashPassword(Nobody, "not-a-password");
            hasher.VerifyHashedPassword(Nobody, nobodyHash, password);
            return SignInOutcome.WrongCredentials;
        }

        var address = http.Connection.RemoteIpAddress?.ToString();
        var result = await signIn.CheckPasswordSignInAsync(user, password, lockoutOnFailure: true);
        var now = clock.GetUtcNow();
        if (result.IsLockedOut)
        {
            await RecordAsync(user.Id, result.Succeeded ? null : new LockedOut(user.Id, user.LockoutEnd ?? now, address, now), ct);
            return SignInOutcome.LockedOut;
        }
        if (!result.Succeeded)
        {
            await RecordAsync(user.Id, new SignInFailed(user.Id, "wrong-password", address, now), ct);
            return SignInOutcome.WrongCredentials;
        }
        if (user.Disabled) return SignInOutcome.Disabled;
        if (!user.Approved) return SignInOutcome.AwaitingApproval;

        await CompleteAsync(user, "password", http, ct);
        return SignInOutcome.SignedIn;
    }

    public async Task<(RegisterOutcome Outcome, IEnumerable<string> Errors)> RegisterAsync(
        string displayName, string email, string password, HttpContext http, CancellationToken ct)
    {
        var settings = await InstanceSettings.LoadAsync(session, ct);
        if (settings.Registration == RegistrationMode.Closed || !settings.LocalSignInEnabled) return (RegisterOutcome.Closed, []);
        email = email.Trim();
        if (await users.FindByEmailAsync(email) is not null) return (RegisterOutcome.EmailTaken, []);

        var user = await NewUserAsync(displayName, email, settings, ct);
        var created = await users.CreateAsync(user, password);
        if (!created.Succeeded) return (RegisterOutcome.Invalid, created.Errors.Select(e => e.Code));
        await RecordAsync(user.Id, new AccountRegistered(user.Id, user.Email, "password", user.IsAdmin, clock.GetUtcNow()), ct);

        if (!user.Approved) return (RegisterOutcome.AwaitingApproval, []);
        await CompleteAsync(user, "password", http, ct);
        return (RegisterOutcome.Registered, []);
    }

    // The first account of an instance administers it; in approval mode others wait for an admin.
    public async Task<SambungUser> NewUserAsync(string displayName, string email, InstanceSettings settings, CancellationToken ct)
    {
        var first = !await session.Query<SambungUser>().AnyAsync(ct);
        return new SambungUser
        {
            UserName = email, Email = email, DisplayName = string.IsNullOrWhiteSpace(displayName) ? email.Split('@')[0] : displayName.Trim(),
            Roles = first ? [Roles.Admin] : [], Approved = first || settings.Registration != RegistrationMode.Approval,
            CreatedAt = clock.GetUtcNow(),
        };
    }

    public async Task CompleteAsync(SambungUser user, string method, HttpContext http, CancellationToken ct)
    {
        var sid = await sessions.StartAsync(user, method, http, ct);
        await signIn.SignInWithClaimsAsync(user, isPersistent: true, [sid, new Claim("amr", method)]);
        UserPreferences.Apply(http.Response, user); // this device follows the account's settings
    }

    // A new cookie for the same session (after a change to the account's name, roles or password), keeping its id.
    public async Task RefreshAsync(SambungUser user, ClaimsPrincipal current)
    {
        Claim[] kept = [.. current.Claims.Where(c => c.Type is UserSessions.SessionClaim or "amr").Select(c => new Claim(c.Type, c.Value))];
        await signIn.SignInWithClaimsAsync(user, isPersistent: true, kept);
    }

    private async Task RecordAsync(string userId, object? e, CancellationToken ct)
    {
        if (e is null) return;
        session.Events.Append(AccountStream.IdFor(userId), e);
        await session.SaveChangesAsync(ct);
    }
}
