namespace Sambung.Web.Features.Providers;

// A way to reach one provider: its kind, where it lives and its key. It belongs to the instance (OwnerId null:
// from the environment or the admin page) or to one user ("bring your own key"). The key is stored only encrypted
// (ASP.NET Core Data Protection) and only its last 4 characters are ever shown.
public sealed class ProviderConnection
{
    public Guid Id { get; set; }
    public string? OwnerId { get; set; }
    public ProviderKind Kind { get; set; }
    public string Name { get; set; } = "";
    public string? BaseUrl { get; set; }
    public string? ProtectedKey { get; set; }
    public string? KeyLast4 { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    // Instance connections from environment variables are never stored; their key stays in memory.
    public bool FromEnvironment { get; set; }
    internal string? EnvironmentKey { get; set; }

    // How a ModelRef names this connection: the kind for environment connections ("openai"), else "c:<id>".
    public string Reference => FromEnvironment ? ProviderKinds.Key(Kind) : $"c:{Id:N}";

    public string EffectiveBaseUrl => string.IsNullOrWhiteSpace(BaseUrl) ? ProviderKinds.DefaultBaseUrl(Kind) ?? "" : BaseUrl;

    public static string Last4(string key) => key.Length <= 4 ? new string('•', key.Length) : key[^4..];
}
