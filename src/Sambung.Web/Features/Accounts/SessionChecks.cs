using Marten.Services;
using Sambung.Web.Infrastructure;

namespace Sambung.Web.Features.Accounts;

// Sessions that passed the check on a recent request (CommitCache), so the check before every request of a signed-in
// user needs no round trip to the database. Storing or deleting a session forgets that session, and any change to an
// account (disabled, roles, approval) forgets them all, so revoking, signing out and disabling take effect on the very
// next request. An entry also expires after 30 seconds.
public sealed class SessionChecks() : CommitCache(TimeSpan.FromSeconds(30), sizeLimit: 100_000)
{
    public sealed record Passed(string UserId, DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt);

    public Passed? Find(Guid sessionId) => Find<Passed>(sessionId);

    protected override void Changed(IChangeSet commit)
    {
        var stored = commit.Inserted.Concat(commit.Updated).ToList();
        // An account changed, or sessions deleted by a query (DeleteWhere names no ids): forget everything.
        if (stored.Any(d => d is SambungUser)
            || commit.Deleted.Any(d => d.DocumentType == typeof(SambungUser) || (d.DocumentType == typeof(UserSession) && d.Id is not Guid)))
        {
            ForgetAll();
            return;
        }
        Forget([.. stored.OfType<UserSession>().Select(s => (object)s.Id),
            .. commit.Deleted.Where(d => d.DocumentType == typeof(UserSession)).Select(d => d.Id)]);
    }
}
