using Marten.Services;
using Sambung.Web.Infrastructure;

namespace Sambung.Web.Features.Providers;

// The provider settings and connections as last read (CommitCache): forgotten whenever a commit in this process
// stores or deletes one, and after a minute in any case.
public sealed class ProviderChanges() : CommitCache(TimeSpan.FromMinutes(1), sizeLimit: 10_000)
{
    protected override void Changed(IChangeSet commit)
    {
        if (commit.Inserted.Concat(commit.Updated).Any(d => d is ProviderConnection or ProviderSettings)
            || commit.Deleted.Any(d => d.DocumentType == typeof(ProviderConnection) || d.DocumentType == typeof(ProviderSettings)))
            ForgetAll();
    }
}
