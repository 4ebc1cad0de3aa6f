using System.Text;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sambung.Web.Features.Accounts;
using Sambung.Web.Features.Analytics;

namespace Sambung.Web.Pages;

// "/usage/models": two to four of the models you used, side by side (time to first token, speed, reply length,
// errors, fallbacks) over a period. A GET form of checkboxes, so every comparison has an address and exports as itself.
public sealed class UsageModelsModel(UsageDashboard dashboard, TimeProvider clock, CurrentUser user) : PageModel
{
    public const int MinModels = 2, MaxModels = 4;

    [BindProperty(SupportsGet = true)] public string? Range { get; set; }
    [BindProperty(SupportsGet = true)] public DateOnly? From { get; set; }
    [BindProperty(SupportsGet = true)] public DateOnly? To { get; set; }
    [BindProperty(SupportsGet = true, Name = "model")] public string[] Chosen { get; set; } = [];

    public UsageRange Period { get; private set; } = null!;
    public IReadOnlyList<ModelPerformance> Available { get; private set; } = [];
    public IReadOnlyList<ModelPerformance> Compared { get; private set; } = [];
    // Null when the choice is fine (or nothing was chosen yet); otherwise the count that was chosen.
    public int? WrongCount { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnGetExportAsync(string? format, CancellationToken ct)
    {
        await LoadAsync(ct);
        var name = $"sambung-models-{Period.From:yyyy-MM-dd}-{Period.To:yyyy-MM-dd}";
        if (format == "json")
            return File(Encoding.UTF8.GetBytes(UsageExport.Serialize(new
            {
                from = Period.From, to = Period.To, models = Compared.Select(UsageExport.PerformanceJson),
            })), "application/json", name + ".json");
        var csv = new StringBuilder();
        csv.Append(string.Join(',', UsageExport.CsvHeader)).Append("\r\n");
        foreach (var p in Compared) csv.Append(string.Join(',', UsageExport.PerformanceRow(p).Select(UsageExport.Field))).Append("\r\n");
        return File(Encoding.UTF8.GetBytes(csv.ToString()), "text/csv", name + ".csv");
    }

    public object Query(string format) => new
    {
        range = Period.Preset,
        from = Period.Preset == UsageRange.Custom ? UsageFormat.Iso(Period.From) : null,
        to = Period.Preset == UsageRange.Custom ? UsageFormat.Iso(Period.To) : null,
        model = Compared.Select(p => p.Key).ToArray(),
        format,
    };

    private async Task LoadAsync(CancellationToken ct)
    {
        Period = UsageRange.Resolve(Range, From, To, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime));
        Available = await dashboard.PerformanceAsync(user.Id, Period, ct);
        var chosen = Chosen.Distinct().ToList();
        if (chosen.Count == 0) return;
        if (chosen.Count is < MinModels or > MaxModels) WrongCount = chosen.Count;
        else Compared = chosen.Select(c => Available.FirstOrDefault(a => a.Key == c)).OfType<ModelPerformance>().ToList();
    }
}
