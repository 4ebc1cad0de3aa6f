using System.Globalization;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Sambung.Web.Features.Accounts;
using Sambung.Web.Features.Analytics;

namespace Sambung.Web.Pages.Admin;

// "/admin/budgets": the instance's default monthly budget and each user's own (tokens, cost in USD, or both; empty
// means no limit). At 80 % a user is warned, at 100 % new requests are refused; admins are never refused.
public sealed class BudgetsModel(Budgets budgets, IQuerySession session, IStringLocalizer<SharedResource> text) : PageModel
{
    public BudgetSettings Settings { get; private set; } = new();
    public IReadOnlyList<SambungUser> Users { get; private set; } = [];
    public string? Message { get; private set; }
    public string? Error { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostDefaultAsync([FromForm] string? tokens, [FromForm] string? cost, CancellationToken ct)
    {
        if (Parse(tokens, cost) is not { } budget) return await RefuseAsync(ct);
        await budgets.SaveAsync(s => { s.Default = budget.IsLimited ? budget : null; return s; }, ct);
        Message = text["Usage.BudgetSaved"];
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostUserAsync([FromForm] string? userId, [FromForm] string? tokens, [FromForm] string? cost,
        [FromForm] bool useDefault, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(userId) || await session.LoadAsync<SambungUser>(userId, ct) is null) return NotFound();
        if (Parse(tokens, cost) is not { } budget) return await RefuseAsync(ct);
        await budgets.SaveAsync(s =>
        {
            if (useDefault && !budget.IsLimited) s.Users.Remove(userId); // typing a limit gives the user their own
            else s.Users[userId] = budget;
            return s;
        }, ct);
        Message = text["Usage.BudgetSaved"];
        await LoadAsync(ct);
        return Page();
    }

    private async Task<IActionResult> RefuseAsync(CancellationToken ct)
    {
        Error = text["Usage.BudgetInvalid"];
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Settings = await budgets.SettingsAsync(ct);
        Users = await session.Query<SambungUser>().OrderBy(u => u.CreatedAt).ToListAsync(ct);
    }

    // Empty fields are "no limit"; anything else must be a whole number of tokens or an amount of dollars, from 0.
    private static Budget? Parse(string? tokens, string? cost)
    {
        long? t = null;
        decimal? c = null;
        if (!string.IsNullOrWhiteSpace(tokens))
        {
            if (!long.TryParse(tokens.Replace(",", "").Replace("_", "").Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n < 0) return null;
            t = n;
        }
        if (!string.IsNullOrWhiteSpace(cost))
        {
            if (!decimal.TryParse(cost.Trim().TrimStart('$'), NumberStyles.Number, CultureInfo.InvariantCulture, out var d) || d < 0) return null;
            c = d;
        }
        return new Budget(t, c);
    }

    public static string Show(long? tokens) => tokens?.ToString(CultureInfo.InvariantCulture) ?? "";
    public static string Show(decimal? cost) => cost?.ToString("0.00##", CultureInfo.InvariantCulture) ?? "";
    public static string Name(SambungUser u) => u.DisplayName.Length > 0 ? u.DisplayName : u.UserName;
}
