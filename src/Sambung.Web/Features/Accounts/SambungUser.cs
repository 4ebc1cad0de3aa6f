namespace Sambung.Web.Features.Accounts;

// An account, stored as a Marten document and managed only through ASP.NET Core Identity's managers (hashing,
// lockout, security stamps). Ids are GUID strings.
public sealed class SambungUser
{
    public string Id { get; set; } = Guid.CreateVersion7().ToString();
    public string UserName { get; set; } = "";
    public string NormalizedUserName { get; set; } = "";
    public string Email { get; set; } = "";
    public string NormalizedEmail { get; set; } = "";
    public bool EmailConfirmed { get; set; }
    public string? PasswordHash { get; set; }
    public string SecurityStamp { get; set; } = Guid.NewGuid().ToString();
    public string ConcurrencyStamp { get; set; } = Guid.NewGuid().ToString();
    public DateTimeOffset? LockoutEnd { get; set; }
    public bool LockoutEnabled { get; set; } = true;
    public int AccessFailedCount { get; set; }
    public List<string> Roles { get; set; } = [];
    public List<ExternalLogin> Logins { get; set; } = [];

    public string DisplayName { get; set; } = "";
    public string Bio { get; set; } = "";
    public Guid? AvatarId { get; set; }
    public bool Disabled { get; set; }
    public bool Approved { get; set; } = true;
    public string? Language { get; set; }
    public string? DefaultModel { get; set; }
    public string Theme { get; set; } = UserPreferences.SystemTheme;
    public int TextSize { get; set; } = UserPreferences.NormalText;
    public string? DefaultSystemPrompt { get; set; }
    public int SidebarWidth { get; set; } = UserPreferences.NormalSidebarWidth;
    public string MessageDensity { get; set; } = UserPreferences.Comfortable;
    public bool PrivacyMode { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    public bool IsAdmin => Roles.Contains(Accounts.Roles.Admin);
}

public sealed record ExternalLogin(string LoginProvider, string ProviderKey, string ProviderDisplayName);

public static class Roles
{
    public const string Admin = "admin";
}
