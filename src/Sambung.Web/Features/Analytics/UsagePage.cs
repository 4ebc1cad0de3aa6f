using System.Text;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Sambung.Web.Features.Analytics;

// What "/usage" and "/admin/usage" share: the filter (a GET form, so every view has its own address), the report,
// how far behind it is, and the same view as CSV or JSON.
public abstract class UsagePage(UsageDashboard dashboard, TimeProvider clock, ModelPrices prices) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Range { get; set; }
    [BindProperty(SupportsGet = true)] public DateOnly? From { get; set; }
    [BindProperty(SupportsGet = true)] public DateOnly? To { get; set; }
    [BindProperty(SupportsGet = true)] public string? Group { get; set; }
    [BindProperty(SupportsGet = true, Name = "whatif")] public string? WhatIfModel { get; set; }

    // The models a what-if can price the period with (every model with a price, dated or not).
    public IReadOnlyList<string> PricedModels { get; private set; } = [];
    // Personal dashboard only: this month's budget.
    public BudgetStatus? Budget { get; protected set; }

    public UsageReport Report { get; private set; } = null!;
    public UsageLag Lag { get; private set; } = UsageLag.None;
    public DateTimeOffset Now { get; private set; }

    // Whose usage: one user's id, or null for the whole instance.
    protected abstract string? Owner { get; }
    public abstract string PagePath { get; }
    public bool Instance => Owner is null;

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct, allChats: false);

    public async Task<IActionResult> OnGetExportAsync(string? format, CancellationToken ct)
    {
        await LoadAsync(ct, allChats: true);
        return format == "json"
            ? File(Encoding.UTF8.GetBytes(UsageExport.ToJson(Report, Lag, Now, Budget)), "application/json", UsageExport.FileName(Report, "json"))
            : File(Encoding.UTF8.GetBytes(UsageExport.ToCsv(Report)), "text/csv", UsageExport.FileName(Report, "csv"));
    }

    // The current view's query, for the export links.
    public object Query(string format) => new
    {
        range = Report.Range.Preset,
        from = Report.Range.Preset == UsageRange.Custom ? Report.Range.From.ToString("yyyy-MM-dd") : null,
        to = Report.Range.Preset == UsageRange.Custom ? Report.Range.To.ToString("yyyy-MM-dd") : null,
        group = Report.Grouping.ToString().ToLowerInvariant(),
        whatif = Report.WhatIf?.Model,
        format,
    };

    private async Task LoadAsync(CancellationToken ct, bool allChats)
    {
        Now = clock.GetUtcNow();
        var range = UsageRange.Resolve(Range, From, To, DateOnly.FromDateTime(Now.UtcDateTime));
        Report = await dashboard.ReportAsync(Owner, range, UsageBuckets.Parse(Group), ct, WhatIfModel?.Trim(), allChats);
        Lag = await dashboard.LagAsync(ct);
        PricedModels = (dashboard.LastPrices ?? await prices.BookAsync(ct)).Models.ToList();
        await LoadMoreAsync(ct);
    }

    protected virtual Task LoadMoreAsync(CancellationToken ct) => Task.CompletedTask;
}
