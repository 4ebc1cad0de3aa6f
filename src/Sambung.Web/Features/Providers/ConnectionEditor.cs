using Marten;
using Sambung.Events.Accounts;

namespace Sambung.Web.Features.Providers;

public sealed record NewConnection(ProviderKind Kind, string Name, string? BaseUrl, string? ApiKey);

// Adding and removing connections, for a user (ownerId) or the instance (null). The key is encrypted before it is
// stored and never read back out; adding and removing a key are audit events.
public sealed class ConnectionEditor(IDocumentSession session, ProviderKeys keys, ProviderHttp http, TimeProvider clock)
{
    public const int MaxName = 60;
    public const int MaxKey = 500;

    // Returns a resource key when refused.
    public async Task<string?> AddAsync(string? ownerId, string actorId, NewConnection input, CancellationToken ct)
    {
        var name = input.Name.Trim();
        if (name.Length is 0 or > MaxName) return "Connections.BadName";
        var key = string.IsNullOrWhiteSpace(input.ApiKey) ? null : input.ApiKey.Trim();
        if (key?.Length > MaxKey || key?.Any(char.IsControl) == true) return "Connections.BadKey";
        if (key is null && ProviderKinds.NeedsKey(input.Kind)) return "Connections.KeyRequired";
        var baseUrl = string.IsNullOrWhiteSpace(input.BaseUrl) ? null : input.BaseUrl.Trim();
        if (baseUrl is null && ProviderKinds.DefaultBaseUrl(input.Kind) is null) return "Connections.UrlRequired";
        var probe = new ProviderConnection { OwnerId = ownerId, Kind = input.Kind };
        if (ProviderUrls.Check(baseUrl, http.AllowsPrivate(probe)) is { } refusal) return refusal;

        var connection = new ProviderConnection
        {
            Id = Guid.CreateVersion7(), OwnerId = ownerId, Kind = input.Kind, Name = name, BaseUrl = baseUrl,
            ProtectedKey = key is null ? null : keys.Protect(key), KeyLast4 = key is null ? null : ProviderConnection.Last4(key),
            CreatedAt = clock.GetUtcNow(),
        };
        session.Store(connection);
        session.Events.Append(AccountStream.IdFor(actorId), new ProviderKeyAdded(actorId, connection.Id, ProviderKinds.Key(input.Kind), actorId, clock.GetUtcNow()));
        await session.SaveChangesAsync(ct);
        return null;
    }

    public async Task<bool> RemoveAsync(string? ownerId, string actorId, Guid id, CancellationToken ct)
    {
        if (await FindAsync(ownerId, id, ct) is not { } connection) return false;
        session.Delete(connection);
        session.Events.Append(AccountStream.IdFor(actorId), new ProviderKeyRemoved(actorId, id, ProviderKinds.Key(connection.Kind), actorId, clock.GetUtcNow()));
        await session.SaveChangesAsync(ct);
        return true;
    }

    // Another owner's connection id is treated as missing.
    public async Task<ProviderConnection?> FindAsync(string? ownerId, Guid id, CancellationToken ct) =>
        await session.LoadAsync<ProviderConnection>(id, ct) is { } c && c.OwnerId == ownerId ? c : null;

    public async Task<IReadOnlyList<ProviderConnection>> ListAsync(string? ownerId, CancellationToken ct) =>
        await session.Query<ProviderConnection>().Where(c => c.OwnerId == ownerId).OrderBy(c => c.CreatedAt).ToListAsync(ct);
}
