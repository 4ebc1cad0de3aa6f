using Sambung.Web.Features.Accounts;
using Sambung.Web.Features.Analytics;

namespace Sambung.Web.Pages;

// "/usage": the signed-in user's own requests, tokens, cost and errors.
public sealed class UsageModel(UsageDashboard dashboard, TimeProvider clock, CurrentUser user, ModelPrices prices, Budgets budgets)
    : UsagePage(dashboard, clock, prices)
{
    protected override string? Owner => user.Id;
    public override string PagePath => "/Usage";

    protected override async Task LoadMoreAsync(CancellationToken ct) => Budget = await budgets.StatusAsync(user.Id, user.IsAdmin, ct);
}
