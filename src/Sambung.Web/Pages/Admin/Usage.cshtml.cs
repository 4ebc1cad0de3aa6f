using Sambung.Web.Features.Analytics;

namespace Sambung.Web.Pages.Admin;

// "/admin/usage": every user's usage together, and split by user (admins only, as the whole folder is).
public sealed class InstanceUsageModel(UsageDashboard dashboard, TimeProvider clock, ModelPrices prices) : UsagePage(dashboard, clock, prices)
{
    protected override string? Owner => null;
    public override string PagePath => "/Admin/Usage";
}
