using Sambung.Events.Pricing;

namespace Sambung.Web.Features.Analytics;

// One model's price over a run of UTC days: From included, Until excluded.
public sealed record PricePeriod(string Model, DateOnly From, DateOnly Until, ModelPrice Price, bool Dated);

// Which price was in effect for a model on a day. A dated price (ModelPriceSet) holds from its effective day until
// the next dated price of that model; before a model's first dated price, the catalogue's price (built-in or the
// admin's edit, undated) holds. Two prices set for the same day: the later one wins. Pure, so it is unit-tested.
public sealed class PriceBook
{
    private readonly Dictionary<string, List<PricePeriod>> periods;

    public IReadOnlyList<ModelPriceSet> History { get; }

    public PriceBook(IEnumerable<ModelPriceSet> history, IReadOnlyDictionary<string, ModelPrice> catalogue)
    {
        History = history.ToList();
        periods = [];
        var dated = History.Select((e, i) => (e, i)).GroupBy(x => x.e.Model, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.GroupBy(x => x.e.EffectiveFrom).Select(d => d.MaxBy(x => x.i).e).OrderBy(e => e.EffectiveFrom).ToList());
        foreach (var model in dated.Keys.Union(catalogue.Keys, StringComparer.Ordinal))
        {
            var list = new List<PricePeriod>();
            var changes = dated.GetValueOrDefault(model) ?? [];
            var firstDated = changes.Count > 0 ? changes[0].EffectiveFrom : DateOnly.MaxValue;
            if (catalogue.TryGetValue(model, out var undated) && firstDated > DateOnly.MinValue)
                list.Add(new PricePeriod(model, DateOnly.MinValue, firstDated, undated, false));
            for (var i = 0; i < changes.Count; i++)
                list.Add(new PricePeriod(model, changes[i].EffectiveFrom, i + 1 < changes.Count ? changes[i + 1].EffectiveFrom : DateOnly.MaxValue,
                    new ModelPrice(changes[i].InputPerMillion, changes[i].OutputPerMillion), true));
            periods[model] = list;
        }
    }

    public static readonly PriceBook Empty = new([], new Dictionary<string, ModelPrice>());

    public ModelPrice? PriceOn(string model, DateOnly day)
    {
        if (!periods.TryGetValue(model, out var list)) return null;
        foreach (var p in list)
            if (day >= p.From && day < p.Until) return p.Price;
        return null;
    }

    public IEnumerable<PricePeriod> Periods => periods.Values.SelectMany(p => p);

    public IEnumerable<string> Models => periods.Keys.Order(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyList<PricePeriod> PeriodsOf(string model) => periods.GetValueOrDefault(model) ?? [];
}
