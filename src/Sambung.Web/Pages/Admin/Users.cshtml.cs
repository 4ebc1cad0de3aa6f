using Marten;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Sambung.Events.Accounts;
using Sambung.Web.Features.Accounts;

namespace Sambung.Web.Pages.Admin;

// Every account of the instance, for admins: approve, disable or enable, grant or remove admin.
public sealed class UsersModel(UserManager<SambungUser> users, UserSessions sessions, IDocumentSession session, CurrentUser current,
    TimeProvider clock, IStringLocalizer<SharedResource> text) : PageModel
{
    public IReadOnlyList<SambungUser> Accounts { get; private set; } = [];
    public string? Error { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) =>
        Accounts = await session.Query<SambungUser>().OrderBy(u => u.CreatedAt).ToListAsync(ct);

    public Task<IActionResult> OnPostDisableAsync(string userId, CancellationToken ct) => ChangeAsync(userId, async (user, now) =>
    {
        if (user.Id == current.Id) return "Admin.CannotChangeSelf";
        user.Disabled = true;
        await sessions.RevokeAllAsync(user.Id, null, current.Id, ct);
        return new AccountDisabled(user.Id, current.Id, now);
    }, ct);

    public Task<IActionResult> OnPostEnableAsync(string userId, CancellationToken ct) => ChangeAsync(userId, (user, now) =>
    {
        user.Disabled = false;
        return Task.FromResult<object>(new AccountEnabled(user.Id, current.Id, now));
    }, ct);

    public Task<IActionResult> OnPostApproveAsync(string userId, CancellationToken ct) => ChangeAsync(userId, (user, now) =>
    {
        user.Approved = true;
        return Task.FromResult<object>(new AccountApproved(user.Id, current.Id, now));
    }, ct);

    public Task<IActionResult> OnPostGrantAdminAsync(string userId, CancellationToken ct) => ChangeAsync(userId, (user, now) =>
    {
        if (!user.Roles.Contains(Roles.Admin)) user.Roles.Add(Roles.Admin);
        return Task.FromResult<object>(new RoleGranted(user.Id, Roles.Admin, current.Id, now));
    }, ct);

    public Task<IActionResult> OnPostRevokeAdminAsync(string userId, CancellationToken ct) => ChangeAsync(userId, (user, now) =>
    {
        // The instance always keeps an admin: nobody removes their own admin role here.
        if (user.Id == current.Id) return Task.FromResult<object>("Admin.CannotChangeSelf");
        user.Roles.Remove(Roles.Admin);
        return Task.FromResult<object>(new RoleRevoked(user.Id, Roles.Admin, current.Id, now));
    }, ct);

    // Applies a change to one account; the change returns the event to record, or a refusal's resource key.
    private async Task<IActionResult> ChangeAsync(string userId, Func<SambungUser, DateTimeOffset, Task<object>> change, CancellationToken ct)
    {
        if (await users.FindByIdAsync(userId) is not { } user) return NotFound();
        var outcome = await change(user, clock.GetUtcNow());
        if (outcome is string refusal)
        {
            Error = text[refusal];
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            await OnGetAsync(ct);
            return Page();
        }
        await users.UpdateSecurityStampAsync(user); // role and status changes reach the user's cookie promptly
        session.Events.Append(AccountStream.IdFor(user.Id), outcome);
        await session.SaveChangesAsync(ct);
        return LocalRedirect("/admin/users");
    }
}
