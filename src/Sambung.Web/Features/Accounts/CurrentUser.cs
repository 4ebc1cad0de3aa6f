using System.Security.Claims;

namespace Sambung.Web.Features.Accounts;

// The signed-in user of this request. Every query and command is scoped through this id.
public sealed class CurrentUser(IHttpContextAccessor http)
{
    private ClaimsPrincipal? Principal => http.HttpContext?.User;

    public bool IsSignedIn => Principal?.Identity?.IsAuthenticated == true;

    public string Id => Principal?.FindFirstValue(ClaimTypes.NameIdentifier)
        ?? throw new InvalidOperationException("No signed-in user: this page must require authorization.");

    public string Name => Principal?.FindFirstValue(AccountClaims.DisplayName) ?? Principal?.Identity?.Name ?? "";

    public bool IsAdmin => Principal?.IsInRole(Roles.Admin) == true;

    public Guid? SessionId => Principal is null ? null : UserSessions.IdOf(Principal);
}

public static class AccountClaims
{
    public const string DisplayName = "sambung:display_name";
}
