using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Sambung.Events.Pricing;
using Sambung.Web.Features.Accounts;
using Sambung.Web.Features.Analytics;

namespace Sambung.Web.Pages.Admin;

// "/admin/prices": prices per million tokens with the UTC day they take effect from, and each model's history.
// Usage costs are computed from these when a dashboard is read, so a price dated in the past re-prices that past.
public sealed class PricesModel(ModelPrices prices, CurrentUser user, TimeProvider clock, IStringLocalizer<SharedResource> text) : PageModel
{
    public PriceBook Book { get; private set; } = PriceBook.Empty;
    public string? Message { get; private set; }
    public string? Error { get; private set; }
    public PriceForm Typed { get; private set; } = new();
    public DateOnly Today => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    public async Task OnGetAsync([FromQuery] string? model, CancellationToken ct)
    {
        Typed = new PriceForm { Model = model, EffectiveFrom = Today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) };
        Book = await prices.BookAsync(ct);
    }

    public async Task<IActionResult> OnPostAsync([FromForm] PriceForm form, CancellationToken ct)
    {
        string? refusal = PriceList.InvalidPrice;
        if (Amount(form.InputPerMillion) is { } input && Amount(form.OutputPerMillion) is { } output
            && DateOnly.TryParseExact(form.EffectiveFrom, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var from))
            refusal = await prices.SetAsync(new SetModelPrice(form.Model ?? "", input, output, from, user.Id), ct);
        Book = await prices.BookAsync(ct);
        if (refusal is not null)
        {
            Typed = form;
            Error = text[$"Refusal.{(refusal == PriceList.InvalidPrice ? "UsageInvalidPrice" : "Conflict")}"];
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }
        Message = text["Usage.PriceSaved", (form.Model ?? "").Trim(), form.EffectiveFrom ?? ""];
        Typed = new PriceForm { EffectiveFrom = Today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) };
        return Page();
    }

    private static decimal? Amount(string? value) =>
        decimal.TryParse(value?.Trim().TrimStart('$'), NumberStyles.Number, CultureInfo.InvariantCulture, out var d) ? d : null;

    public static string Show(decimal value) => value.ToString("0.00##", CultureInfo.InvariantCulture);
}

public sealed class PriceForm
{
    public string? Model { get; set; }
    public string? InputPerMillion { get; set; }
    public string? OutputPerMillion { get; set; }
    public string? EffectiveFrom { get; set; }
}
