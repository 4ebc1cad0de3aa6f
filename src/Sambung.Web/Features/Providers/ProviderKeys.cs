using Microsoft.AspNetCore.DataProtection;

namespace Sambung.Web.Features.Providers;

// Encrypts provider keys at rest with the app's Data Protection key ring (itself in PostgreSQL, optionally
// encrypted with SAMBUNG_MASTER_KEY). Decrypted keys live only in memory, inside provider clients.
public sealed class ProviderKeys(IDataProtectionProvider protection)
{
    private readonly IDataProtector protector = protection.CreateProtector("Sambung.ProviderKeys.v1");

    public string Protect(string key) => protector.Protect(key);

    public string? Reveal(ProviderConnection connection) =>
        connection.FromEnvironment ? connection.EnvironmentKey
        : connection.ProtectedKey is { } protectedKey ? protector.Unprotect(protectedKey)
        : null;
}
