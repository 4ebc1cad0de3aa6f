using Marten;
using Sambung.Events;
using Sambung.Events.Pricing;
using Sambung.Web.Features.Providers;

namespace Sambung.Web.Features.Analytics;

// The price list: dated prices from the price stream over the catalogue's undated ones. Read whole (it is a short
// stream of admin changes) and kept until a price or the catalogue changes (PricingChanges), so a price set for a
// past day re-prices that history at once, with nothing to rebuild.
public sealed class ModelPrices(IDocumentStore store, ModelCatalogue catalogue, TimeProvider clock, PricingChanges changes)
{
    public Task<PriceBook> BookAsync(CancellationToken ct) => changes.GetOrLoadAsync("price-book", async () =>
    {
        var undated = (await catalogue.EntriesAsync(ct))
            .Where(e => e.Info.InputPrice is not null || e.Info.OutputPrice is not null)
            .ToDictionary(e => e.Info.Id, e => new ModelPrice(e.Info.InputPrice ?? 0m, e.Info.OutputPrice ?? 0m));
        return new PriceBook(await HistoryAsync(ct), undated);
    });

    public async Task<IReadOnlyList<ModelPriceSet>> HistoryAsync(CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var events = await session.Events.FetchStreamAsync(PriceList.StreamId, token: ct);
        return events.Select(e => e.Data).OfType<ModelPriceSet>().ToList();
    }

    // Appends the price (expected version: the stream as read, so two admins saving at once cannot both decide
    // against the same history unnoticed). Returns the refusal code, or null.
    public async Task<string?> SetAsync(SetModelPrice cmd, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var events = await session.Events.FetchStreamAsync(PriceList.StreamId, token: ct);
        var decision = PriceList.Decide(cmd, events.Select(e => e.Data).OfType<ModelPriceSet>().ToList(), clock.GetUtcNow());
        if (decision.IsRefused) return decision.Refusal;
        if (decision.IsNoChange) return null;
        if (events.Count == 0) session.Events.StartStream(PriceList.StreamId, decision.Events.ToArray());
        else session.Events.Append(PriceList.StreamId, events.Count + decision.Events.Count, decision.Events.ToArray());
        try
        {
            await session.SaveChangesAsync(ct);
        }
        catch (JasperFx.ConcurrencyException)
        {
            return "Conflict";
        }
        return null;
    }
}
