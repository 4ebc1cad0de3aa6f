using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Sambung.Web.Features.Providers;

namespace Sambung.Web.Pages.Admin;

// "/admin/models": the model catalogue (context window, output limit, prices per million tokens) that usage and
// cost figures rely on. Built-in figures can be changed and reset; models the catalogue lacks can be added.
public sealed class ModelsModel(ModelCatalogue catalogue, IStringLocalizer<SharedResource> text) : PageModel
{
    public const int MaxModelIdLength = 200;

    public IReadOnlyList<CatalogueEntry> Entries { get; private set; } = [];
    public string? Message { get; private set; }
    public string? Error { get; private set; }

    // What was typed, kept when it is refused.
    public CatalogueForm Typed { get; private set; } = new();

    public async Task OnGetAsync(CancellationToken ct) => Entries = await catalogue.EntriesAsync(ct);

    public async Task<IActionResult> OnPostSaveAsync([FromForm] CatalogueForm form, CancellationToken ct)
    {
        if (Parse(form) is not { } entry)
        {
            Typed = form;
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            Entries = await catalogue.EntriesAsync(ct);
            return Page();
        }
        await catalogue.SaveAsync(entry, ct);
        Message = text["Catalogue.Saved", entry.Id];
        Entries = await catalogue.EntriesAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostResetAsync([FromForm] string? id, CancellationToken ct)
    {
        if (!string.IsNullOrWhiteSpace(id)) await catalogue.ResetAsync(id.Trim(), ct);
        Message = text["Catalogue.Reset", id ?? ""];
        Entries = await catalogue.EntriesAsync(ct);
        return Page();
    }

    // Figures are optional (unknown) but, when given, whole positive numbers of tokens and prices of 0 or more.
    private ModelInfo? Parse(CatalogueForm form)
    {
        var id = form.Id?.Trim() ?? "";
        if (id.Length is 0 or > MaxModelIdLength || id.Any(char.IsControl))
            return Refuse(text["Catalogue.BadId", MaxModelIdLength]);
        if (!Tokens(form.ContextWindow, out var context) || !Tokens(form.MaxOutputTokens, out var output))
            return Refuse(text["Catalogue.BadTokens"]);
        if (!Price(form.InputPrice, out var input) || !Price(form.OutputPrice, out var outputPrice))
            return Refuse(text["Catalogue.BadPrice"]);
        return new ModelInfo(id, context, output, input, outputPrice);
    }

    private ModelInfo? Refuse(string message)
    {
        Error = message;
        return null;
    }

    private static bool Tokens(string? value, out int? tokens)
    {
        tokens = null;
        if (string.IsNullOrWhiteSpace(value)) return true;
        if (!int.TryParse(value.Replace(",", "").Replace("_", "").Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
            || n is < 1 or > 100_000_000) return false;
        tokens = n;
        return true;
    }

    private static bool Price(string? value, out decimal? price)
    {
        price = null;
        if (string.IsNullOrWhiteSpace(value)) return true;
        if (!decimal.TryParse(value.Trim().TrimStart('$'), NumberStyles.Number, CultureInfo.InvariantCulture, out var p) || p is < 0 or > 100_000)
            return false;
        price = p;
        return true;
    }

    public static string Show(decimal? value) => value?.ToString("0.00##", CultureInfo.InvariantCulture) ?? "";
}

public sealed class CatalogueForm
{
    public string? Id { get; set; }
    public string? ContextWindow { get; set; }
    public string? MaxOutputTokens { get; set; }
    public string? InputPrice { get; set; }
    public string? OutputPrice { get; set; }
}
