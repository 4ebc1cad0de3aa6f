using Marten;
using Marten.Services;
using Microsoft.Extensions.Caching.Memory;

namespace Sambung.Web.Infrastructure;

// Values read from the database and kept in memory until a commit in this process changes what they were read
// from: Marten calls AfterCommitAsync for every session of the store, and each cache says which commits concern it
// (Changed). A read that raced with such a commit is not kept (the generation moved while it loaded), so a stale
// value never outlives the change that replaced it. Another app process could change them unseen, so an entry also
// expires after its lifetime (until a backplane, such as PostgreSQL's LISTEN/NOTIFY, tells every process).
public abstract class CommitCache(TimeSpan lifetime, long sizeLimit) : DocumentSessionListenerBase
{
    private readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = sizeLimit });
    private long generation;

    // Read before loading a value to keep; a commit that concerns the cache moves it on.
    public long Generation => Interlocked.Read(ref generation);

    public T? Find<T>(object key) where T : class => cache.TryGetValue(key, out T? value) ? value : null;

    // Keeps a value loaded after generationBefore was read, unless a relevant commit came in between.
    public void Keep(object key, object value, long generationBefore)
    {
        if (Generation != generationBefore) return;
        cache.Set(key, value, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = lifetime });
        if (Generation != generationBefore) cache.Remove(key); // a commit slipped in between
    }

    public async Task<T> GetOrLoadAsync<T>(object key, Func<Task<T>> load) where T : class
    {
        if (Find<T>(key) is { } kept) return kept;
        var before = Generation;
        var value = await load();
        Keep(key, value, before);
        return value;
    }

    public void ForgetAll()
    {
        Interlocked.Increment(ref generation);
        cache.Clear();
    }

    protected void Forget(IReadOnlyCollection<object> keys)
    {
        if (keys.Count == 0) return;
        Interlocked.Increment(ref generation);
        foreach (var key in keys) cache.Remove(key);
    }

    // What this commit means for the cache: ForgetAll, Forget some keys, or nothing.
    protected abstract void Changed(IChangeSet commit);

    public sealed override Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
    {
        Changed(commit);
        return Task.CompletedTask;
    }
}
