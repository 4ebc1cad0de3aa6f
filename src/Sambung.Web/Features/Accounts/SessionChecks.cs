using Marten;
using Marten.Services;
using Microsoft.Extensions.Caching.Memory;

namespace Sambung.Web.Features.Accounts;

// Sessions that passed the check on a recent request, so the check before every request of a signed-in user needs
// no round trip to the database. Marten tells this listener about every commit in this process: storing or
// deleting a session forgets that session, and any change to an account (disabled, roles, approval) forgets them
// all, at once, so revoking, signing out and disabling take effect on the very next request as before. A read that
// raced with such a commit is not kept. Another app process could change them unseen, so an entry also expires
// after 30 seconds (until a backplane tells every process).
public sealed class SessionChecks : DocumentSessionListenerBase
{
    public sealed record Passed(string UserId, DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt);

    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);
    private readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = 100_000 });
    private long generation;

    public long Generation => Interlocked.Read(ref generation);

    public Passed? Find(Guid sessionId) => cache.TryGetValue(sessionId, out Passed? passed) ? passed : null;

    // generationBefore: Generation read before the session and account were loaded.
    public void Keep(Guid sessionId, Passed passed, long generationBefore)
    {
        if (Generation != generationBefore) return;
        cache.Set(sessionId, passed, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = Lifetime });
        if (Generation != generationBefore) cache.Remove(sessionId); // a commit slipped in between
    }

    public void ForgetAll()
    {
        Interlocked.Increment(ref generation);
        cache.Clear();
    }

    public override Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
    {
        var stored = commit.Inserted.Concat(commit.Updated).ToList();
        // An account changed, or sessions deleted by a query (DeleteWhere names no ids): forget everything.
        if (stored.Any(d => d is SambungUser)
            || commit.Deleted.Any(d => d.DocumentType == typeof(SambungUser) || (d.DocumentType == typeof(UserSession) && d.Id is not Guid)))
        {
            ForgetAll();
            return Task.CompletedTask;
        }
        var sessions = stored.OfType<UserSession>().Select(s => (object)s.Id)
            .Concat(commit.Deleted.Where(d => d.DocumentType == typeof(UserSession)).Select(d => d.Id)).ToList();
        if (sessions.Count == 0) return Task.CompletedTask;
        Interlocked.Increment(ref generation);
        foreach (var id in sessions) cache.Remove(id);
        return Task.CompletedTask;
    }
}
