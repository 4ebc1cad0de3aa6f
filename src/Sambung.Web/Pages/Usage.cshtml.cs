using Sambung.Web.Features.Accounts;
using Sambung.Web.Features.Analytics;

namespace Sambung.Web.Pages;

// "/usage": the signed-in user's own requests, tokens, cost and errors.
public sealed class UsageModel(UsageDashboard dashboard, TimeProvider clock, CurrentUser user) : UsagePage(dashboard, clock)
{
    protected override string? Owner => user.Id;
    public override string PagePath => "/Usage";
}
