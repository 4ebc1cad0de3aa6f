using Sambung.Events.Conversations;

namespace Sambung.Web.Features.Providers;

public sealed record ModelOption(string Value, string Label, bool Selected);

public sealed record ModelGroup(string Label, IReadOnlyList<ModelOption> Options);

public sealed record ModelChoice(ModelRef Selected, IReadOnlyList<ModelGroup> Groups, bool HasConnections);

// What the "Model" combobox offers a user: every model of every connection they may use, grouped by connection,
// from cached listings (fetched at most a few seconds while rendering, else the catalogue's suggestion).
public sealed class ModelChoices(ProviderRegistry registry, ModelCatalogue catalogue, Marten.IDocumentStore store)
{
    private static readonly TimeSpan RenderBudget = TimeSpan.FromSeconds(3);

    // The user's default model while it can still be used, else the instance's, else the first connection's
    // suggested model. Each public question reads the user's connections once; the overloads take them.
    public async Task<ModelRef> DefaultForAsync(string userId, CancellationToken ct) =>
        await DefaultForAsync(userId, await registry.AvailableToAsync(userId, ct), ct);

    public async Task<ModelRef> InstanceDefaultAsync(string userId, CancellationToken ct) =>
        await InstanceDefaultAsync(await registry.AvailableToAsync(userId, ct), ct);

    public async Task<ModelRef?> UserDefaultAsync(string userId, CancellationToken ct) =>
        await UserDefaultAsync(userId, await registry.AvailableToAsync(userId, ct), ct);

    // Whether the "Model" combobox would offer this model to the user (the settings refuse anything else).
    public async Task<bool> OffersAsync(string userId, ModelRef model, CancellationToken ct)
    {
        var connections = await registry.AvailableToAsync(userId, ct);
        if (ProviderRegistry.Resolve(model, connections) is not { } connection) return false;
        return (await ListedAsync(connection, ct)).Contains(model.Model) || model == await InstanceDefaultAsync(connections, ct);
    }

    private async Task<ModelRef> DefaultForAsync(string userId, IReadOnlyList<ProviderConnection> connections, CancellationToken ct) =>
        await UserDefaultAsync(userId, connections, ct) ?? await InstanceDefaultAsync(connections, ct);

    private async Task<ModelRef> InstanceDefaultAsync(IReadOnlyList<ProviderConnection> connections, CancellationToken ct) =>
        registry.DefaultModel(await registry.SettingsAsync(ct), connections);

    // The user's own choice, unless its connection is gone or the provider no longer lists the model (when a
    // listing is at hand: starting a chat never waits for a provider).
    private async Task<ModelRef?> UserDefaultAsync(string userId, IReadOnlyList<ProviderConnection> connections, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        if (ModelRefs.Parse((await session.LoadAsync<Accounts.SambungUser>(userId, ct))?.DefaultModel) is not { } own) return null;
        if (ProviderRegistry.Resolve(own, connections) is not { } connection) return null;
        return catalogue.Cached(connection) is { Models.Count: > 0 } listing && listing.Models.All(m => m.Id != own.Model) ? null : own;
    }

    // The models of one connection from its cached listing (fetched within the render budget at most), else the
    // catalogue's suggestion for its kind.
    private async Task<List<string>> ListedAsync(ProviderConnection connection, CancellationToken ct)
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(ct);
        budget.CancelAfter(RenderBudget);
        ModelListing listing;
        try { listing = await catalogue.ListAsync(connection, refresh: false, budget.Token); }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested) { listing = new([], "timeout", DateTimeOffset.UtcNow); }
        var ids = listing.Models.Select(m => m.Id).ToList();
        if (ids.Count == 0) ids.Add(ModelCatalogue.SuggestedModel(connection.Kind));
        return ids;
    }

    public async Task<ModelChoice> ForAsync(string userId, ModelRef? current, CancellationToken ct)
    {
        var connections = await registry.AvailableToAsync(userId, ct);
        var selected = current ?? await DefaultForAsync(userId, connections, ct);
        var listings = await Task.WhenAll(connections.Select(async c => (Connection: c, Ids: await ListedAsync(c, ct))));

        var groups = new List<ModelGroup>();
        var found = false;
        foreach (var (connection, ids) in listings)
        {
            if (ProviderRegistry.Resolve(selected, connections) == connection && !ids.Contains(selected.Model)) ids.Insert(0, selected.Model);
            var options = ids.Select(id =>
            {
                var isSelected = !found && ProviderRegistry.Resolve(selected, connections) == connection && id == selected.Model;
                found |= isSelected;
                return new ModelOption(ModelRefs.Format(new ModelRef(connection.Reference, id)), id, isSelected);
            }).ToList();
            groups.Add(new ModelGroup(connection.OwnerId is null ? connection.Name : $"{connection.Name} ({ProviderKinds.DisplayName(connection.Kind)})", options));
        }
        if (!found)
            groups.Insert(0, new ModelGroup(selected.Provider, [new ModelOption(ModelRefs.Format(selected), selected.Model, true)]));
        return new ModelChoice(selected, groups, connections.Count > 0);
    }
}
