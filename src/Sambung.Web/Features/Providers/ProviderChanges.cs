using Marten;
using Marten.Services;
using Microsoft.Extensions.Caching.Memory;

namespace Sambung.Web.Features.Providers;

// The provider settings and connections as last read, forgotten whenever a commit in this process stores or deletes
// one (Marten calls AfterCommitAsync for every session of the store). A read that started before such a commit is
// not kept, so a stale value never outlives the change that replaced it. Several app processes would need a
// backplane (PostgreSQL LISTEN/NOTIFY) for the same guarantee; until then a value also expires after a minute.
public sealed class ProviderChanges : DocumentSessionListenerBase
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);
    private readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = 10_000 });
    private long generation;

    public async Task<T> GetOrLoadAsync<T>(string key, Func<Task<T>> load) where T : class
    {
        if (cache.TryGetValue(key, out T? kept) && kept is not null) return kept;
        var before = Interlocked.Read(ref generation);
        var value = await load();
        if (Interlocked.Read(ref generation) == before)
            cache.Set(key, value, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = Lifetime });
        return value;
    }

    public void Forget()
    {
        Interlocked.Increment(ref generation);
        cache.Clear();
    }

    public override Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
    {
        if (Touches(commit)) Forget();
        return Task.CompletedTask;
    }

    private static bool Touches(IChangeSet commit) =>
        commit.Inserted.Concat(commit.Updated).Any(d => d is ProviderConnection or ProviderSettings)
        || commit.Deleted.Any(d => d.DocumentType == typeof(ProviderConnection) || d.DocumentType == typeof(ProviderSettings));
}
