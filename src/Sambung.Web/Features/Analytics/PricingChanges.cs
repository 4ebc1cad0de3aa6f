using Marten.Services;
using Sambung.Events.Pricing;
using Sambung.Web.Features.Providers;
using Sambung.Web.Infrastructure;

namespace Sambung.Web.Features.Analytics;

// The price book and the budget settings as last read (CommitCache): forgotten whenever a commit in this process sets
// a dated price, edits the model catalogue (its undated prices) or saves the budgets, and after a minute in any case.
public sealed class PricingChanges() : CommitCache(TimeSpan.FromMinutes(1), sizeLimit: 10)
{
    protected override void Changed(IChangeSet commit)
    {
        if (commit.Inserted.Concat(commit.Updated).Any(d => d is ModelCatalogueEdits or BudgetSettings)
            || commit.Deleted.Any(d => d.DocumentType == typeof(ModelCatalogueEdits) || d.DocumentType == typeof(BudgetSettings))
            || commit.GetEvents().Any(e => e.Data is ModelPriceSet))
            ForgetAll();
    }
}
