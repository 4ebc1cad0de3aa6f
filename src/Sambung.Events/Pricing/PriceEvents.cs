namespace Sambung.Events.Pricing;

// The instance's price list is one event stream: every price an admin sets for a model, with the UTC day it takes
// effect from. Nothing is overwritten, so a price set for a past day re-prices that history and the list of
// changes stays readable. Prices are USD per million tokens.
public sealed record ModelPriceSet(string Model, decimal InputPerMillion, decimal OutputPerMillion, DateOnly EffectiveFrom, string By, DateTimeOffset At);

public sealed record SetModelPrice(string Model, decimal InputPerMillion, decimal OutputPerMillion, DateOnly EffectiveFrom, string By);

public static class PriceList
{
    // The one stream that holds the price events (a fixed id: there is one price list per instance).
    public static readonly Guid StreamId = new("5a3b0c1e-9d7f-4e21-8b6a-70726963e501");

    public const int MaxModelLength = 200;
    public const decimal MaxPerMillion = 100_000m;

    public const string InvalidPrice = "InvalidPrice";

    // A price needs a model and two amounts from 0 up to an absurd ceiling; setting exactly what is already in
    // effect from that same day changes nothing.
    public static Decision Decide(SetModelPrice cmd, IReadOnlyList<ModelPriceSet> history, DateTimeOffset now)
    {
        var model = cmd.Model.Trim();
        if (model.Length == 0 || model.Length > MaxModelLength
            || cmd.InputPerMillion is < 0 or > MaxPerMillion || cmd.OutputPerMillion is < 0 or > MaxPerMillion)
            return Decision.Refuse(InvalidPrice);
        var same = history.LastOrDefault(p => p.Model == model && p.EffectiveFrom == cmd.EffectiveFrom);
        if (same is not null && same.InputPerMillion == cmd.InputPerMillion && same.OutputPerMillion == cmd.OutputPerMillion)
            return Decision.NoChange;
        return Decision.Accept(new ModelPriceSet(model, cmd.InputPerMillion, cmd.OutputPerMillion, cmd.EffectiveFrom, cmd.By, now));
    }
}
