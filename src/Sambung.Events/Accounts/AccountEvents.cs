using System.Security.Cryptography;
using System.Text;

namespace Sambung.Events.Accounts;

// Security-relevant things that happen to an account, one stream per user, for the audit trail. The account itself
// (password hash, lockout counters, profile) is a document managed through ASP.NET Core Identity; these events
// record what happened to it, never a secret.
public sealed record AccountRegistered(string UserId, string Email, string Method, bool IsAdmin, DateTimeOffset At);

public sealed record SignedIn(string UserId, Guid SessionId, string Method, string? Address, string? Device, DateTimeOffset At);

public sealed record SignInFailed(string UserId, string Reason, string? Address, DateTimeOffset At);

public sealed record LockedOut(string UserId, DateTimeOffset Until, string? Address, DateTimeOffset At);

public sealed record SignedOut(string UserId, Guid SessionId, DateTimeOffset At);

public sealed record SessionRevoked(string UserId, Guid SessionId, string By, DateTimeOffset At);

public sealed record PasswordChanged(string UserId, string By, DateTimeOffset At);

public sealed record RoleGranted(string UserId, string Role, string By, DateTimeOffset At);

public sealed record RoleRevoked(string UserId, string Role, string By, DateTimeOffset At);

public sealed record AccountDisabled(string UserId, string By, DateTimeOffset At);

public sealed record AccountEnabled(string UserId, string By, DateTimeOffset At);

public sealed record AccountApproved(string UserId, string By, DateTimeOffset At);

public sealed record ExternalLoginLinked(string UserId, string Provider, string By, DateTimeOffset At);

public sealed record ProfileUpdated(string UserId, string By, DateTimeOffset At);

public sealed record ProviderKeyAdded(string UserId, Guid ConnectionId, string Provider, string By, DateTimeOffset At);

public sealed record ProviderKeyRemoved(string UserId, Guid ConnectionId, string Provider, string By, DateTimeOffset At);

public sealed record AccountDeleted(string UserId, string By, DateTimeOffset At);

public static class AccountStream
{
    // The stream id is derived from the user id, so recording needs no lookup.
    public static Guid IdFor(string userId) => new(SHA256.HashData(Encoding.UTF8.GetBytes("sambung-account:" + userId)).AsSpan(0, 16));

    public static readonly Type[] EventTypes =
    [
        typeof(AccountRegistered), typeof(SignedIn), typeof(SignInFailed), typeof(LockedOut), typeof(SignedOut),
        typeof(SessionRevoked), typeof(PasswordChanged), typeof(RoleGranted), typeof(RoleRevoked), typeof(AccountDisabled),
        typeof(AccountEnabled), typeof(AccountApproved), typeof(ExternalLoginLinked), typeof(ProfileUpdated),
        typeof(ProviderKeyAdded), typeof(ProviderKeyRemoved), typeof(AccountDeleted),
    ];
}
