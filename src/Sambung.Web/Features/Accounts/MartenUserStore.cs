using Marten;
using Microsoft.AspNetCore.Identity;

namespace Sambung.Web.Features.Accounts;

// Identity's storage contract over Marten documents. Identity does the security work (hashing, lockout, stamps);
// this only loads and saves.
public sealed class MartenUserStore(IDocumentSession session) :
    IUserPasswordStore<SambungUser>, IUserEmailStore<SambungUser>, IUserSecurityStampStore<SambungUser>,
    IUserLockoutStore<SambungUser>, IUserLoginStore<SambungUser>, IUserRoleStore<SambungUser>
{
    public void Dispose() { }

    public Task<string> GetUserIdAsync(SambungUser user, CancellationToken ct) => Task.FromResult(user.Id);
    public Task<string?> GetUserNameAsync(SambungUser user, CancellationToken ct) => Task.FromResult<string?>(user.UserName);
    public Task SetUserNameAsync(SambungUser user, string? userName, CancellationToken ct) => Set(() => user.UserName = userName ?? "");
    public Task<string?> GetNormalizedUserNameAsync(SambungUser user, CancellationToken ct) => Task.FromResult<string?>(user.NormalizedUserName);
    public Task SetNormalizedUserNameAsync(SambungUser user, string? name, CancellationToken ct) => Set(() => user.NormalizedUserName = name ?? "");

    public async Task<IdentityResult> CreateAsync(SambungUser user, CancellationToken ct)
    {
        session.Insert(user);
        await session.SaveChangesAsync(ct);
        return IdentityResult.Success;
    }

    public async Task<IdentityResult> UpdateAsync(SambungUser user, CancellationToken ct)
    {
        user.ConcurrencyStamp = Guid.NewGuid().ToString();
        session.Store(user);
        await session.SaveChangesAsync(ct);
        return IdentityResult.Success;
    }

    public async Task<IdentityResult> DeleteAsync(SambungUser user, CancellationToken ct)
    {
        session.Delete(user);
        await session.SaveChangesAsync(ct);
        return IdentityResult.Success;
    }

    public async Task<SambungUser?> FindByIdAsync(string userId, CancellationToken ct) => await session.LoadAsync<SambungUser>(userId, ct);

    public async Task<SambungUser?> FindByNameAsync(string normalizedUserName, CancellationToken ct) =>
        await session.Query<SambungUser>().FirstOrDefaultAsync(u => u.NormalizedUserName == normalizedUserName, ct);

    public Task SetPasswordHashAsync(SambungUser user, string? passwordHash, CancellationToken ct) => Set(() => user.PasswordHash = passwordHash);
    public Task<string?> GetPasswordHashAsync(SambungUser user, CancellationToken ct) => Task.FromResult(user.PasswordHash);
    public Task<bool> HasPasswordAsync(SambungUser user, CancellationToken ct) => Task.FromResult(user.PasswordHash is not null);

    public Task SetEmailAsync(SambungUser user, string? email, CancellationToken ct) => Set(() => user.Email = email ?? "");
    public Task<string?> GetEmailAsync(SambungUser user, CancellationToken ct) => Task.FromResult<string?>(user.Email);
    public Task<bool> GetEmailConfirmedAsync(SambungUser user, CancellationToken ct) => Task.FromResult(user.EmailConfirmed);
    public Task SetEmailConfirmedAsync(SambungUser user, bool confirmed, CancellationToken ct) => Set(() => user.EmailConfirmed = confirmed);
    public Task<string?> GetNormalizedEmailAsync(SambungUser user, CancellationToken ct) => Task.FromResult<string?>(user.NormalizedEmail);
    public Task SetNormalizedEmailAsync(SambungUser user, string? email, CancellationToken ct) => Set(() => user.NormalizedEmail = email ?? "");

    public async Task<SambungUser?> FindByEmailAsync(string normalizedEmail, CancellationToken ct) =>
        await session.Query<SambungUser>().FirstOrDefaultAsync(u => u.NormalizedEmail == normalizedEmail, ct);

    public Task SetSecurityStampAsync(SambungUser user, string stamp, CancellationToken ct) => Set(() => user.SecurityStamp = stamp);
    public Task<string?> GetSecurityStampAsync(SambungUser user, CancellationToken ct) => Task.FromResult<string?>(user.SecurityStamp);

    public Task<DateTimeOffset?> GetLockoutEndDateAsync(SambungUser user, CancellationToken ct) => Task.FromResult(user.LockoutEnd);
    public Task SetLockoutEndDateAsync(SambungUser user, DateTimeOffset? lockoutEnd, CancellationToken ct) => Set(() => user.LockoutEnd = lockoutEnd);
    public Task<int> IncrementAccessFailedCountAsync(SambungUser user, CancellationToken ct) => Task.FromResult(++user.AccessFailedCount);
    public Task ResetAccessFailedCountAsync(SambungUser user, CancellationToken ct) => Set(() => user.AccessFailedCount = 0);
    public Task<int> GetAccessFailedCountAsync(SambungUser user, CancellationToken ct) => Task.FromResult(user.AccessFailedCount);
    public Task<bool> GetLockoutEnabledAsync(SambungUser user, CancellationToken ct) => Task.FromResult(user.LockoutEnabled);
    public Task SetLockoutEnabledAsync(SambungUser user, bool enabled, CancellationToken ct) => Set(() => user.LockoutEnabled = enabled);

    public Task AddLoginAsync(SambungUser user, UserLoginInfo login, CancellationToken ct) =>
        Set(() => user.Logins.Add(new(login.LoginProvider, login.ProviderKey, login.ProviderDisplayName ?? login.LoginProvider)));

    public Task RemoveLoginAsync(SambungUser user, string loginProvider, string providerKey, CancellationToken ct) =>
        Set(() => user.Logins.RemoveAll(l => l.LoginProvider == loginProvider && l.ProviderKey == providerKey));

    public Task<IList<UserLoginInfo>> GetLoginsAsync(SambungUser user, CancellationToken ct) =>
        Task.FromResult<IList<UserLoginInfo>>(user.Logins.Select(l => new UserLoginInfo(l.LoginProvider, l.ProviderKey, l.ProviderDisplayName)).ToList());

    public async Task<SambungUser?> FindByLoginAsync(string loginProvider, string providerKey, CancellationToken ct) =>
        (await session.Query<SambungUser>().Where(u => u.Logins.Any(l => l.ProviderKey == providerKey)).ToListAsync(ct))
            .FirstOrDefault(u => u.Logins.Any(l => l.LoginProvider == loginProvider && l.ProviderKey == providerKey));

    // Identity passes role names normalized (upper case); Sambung stores them as it names them (lower case).
    public Task AddToRoleAsync(SambungUser user, string roleName, CancellationToken ct) =>
        Set(() => { if (!user.Roles.Contains(roleName.ToLowerInvariant())) user.Roles.Add(roleName.ToLowerInvariant()); });

    public Task RemoveFromRoleAsync(SambungUser user, string roleName, CancellationToken ct) =>
        Set(() => user.Roles.RemoveAll(r => string.Equals(r, roleName, StringComparison.OrdinalIgnoreCase)));

    public Task<IList<string>> GetRolesAsync(SambungUser user, CancellationToken ct) => Task.FromResult<IList<string>>(user.Roles.ToList());

    public Task<bool> IsInRoleAsync(SambungUser user, string roleName, CancellationToken ct) =>
        Task.FromResult(user.Roles.Contains(roleName, StringComparer.OrdinalIgnoreCase));

    public async Task<IList<SambungUser>> GetUsersInRoleAsync(string roleName, CancellationToken ct) =>
        (await session.Query<SambungUser>().Where(u => u.Roles.Contains(roleName.ToLowerInvariant())).ToListAsync(ct)).ToList();

    // Identity changes the user object, then calls UpdateAsync to persist.
    private static Task Set(Action change)
    {
        change();
        return Task.CompletedTask;
    }
}
