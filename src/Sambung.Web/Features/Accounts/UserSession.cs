using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Sambung.Events.Accounts;

namespace Sambung.Web.Features.Accounts;

// One signed-in browser. The cookie carries its id ("sid"); every request checks it still exists, so revoking a
// session (or "sign out everywhere") takes effect at once, not when a cookie expires.
public sealed class UserSession
{
    public Guid Id { get; set; }
    public string UserId { get; set; } = "";
    public string Method { get; set; } = "password";
    public string? Address { get; set; }
    public string? Device { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset LastSeenAt { get; set; }
}

public sealed class UserSessions(IDocumentStore store, TimeProvider clock, SessionChecks checks, ILogger<UserSessions> log)
{
    public const string SessionClaim = "sid";
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(7);
    private static readonly TimeSpan TouchEvery = TimeSpan.FromMinutes(1);

    public async Task<Claim> StartAsync(SambungUser user, string method, HttpContext http, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var session = new UserSession
        {
            Id = Guid.CreateVersion7(), UserId = user.Id, Method = method, Address = http.Connection.RemoteIpAddress?.ToString(),
            Device = Truncate(http.Request.Headers.UserAgent.ToString(), 300), CreatedAt = now, LastSeenAt = now,
        };
        await using var db = store.LightweightSession();
        db.Store(session);
        db.Events.Append(AccountStream.IdFor(user.Id), new SignedIn(user.Id, session.Id, method, session.Address, session.Device, now));
        await db.SaveChangesAsync(ct);
        return new Claim(SessionClaim, session.Id.ToString());
    }

    public async Task<IReadOnlyList<UserSession>> ListAsync(string userId, CancellationToken ct)
    {
        await using var db = store.QuerySession();
        return await db.Query<UserSession>().Where(s => s.UserId == userId).OrderByDescending(s => s.LastSeenAt).ToListAsync(ct);
    }

    public async Task<bool> RevokeAsync(string userId, Guid sessionId, string by, CancellationToken ct)
    {
        await using var db = store.LightweightSession();
        var session = await db.LoadAsync<UserSession>(sessionId, ct);
        if (session is null || session.UserId != userId) return false;
        db.Delete(session);
        db.Events.Append(AccountStream.IdFor(userId), new SessionRevoked(userId, sessionId, by, clock.GetUtcNow()));
        await db.SaveChangesAsync(ct);
        return true;
    }

    // Every session of the user but the one given (null: all of them).
    public async Task<int> RevokeAllAsync(string userId, Guid? except, string by, CancellationToken ct)
    {
        await using var db = store.LightweightSession();
        var sessions = await db.Query<UserSession>().Where(s => s.UserId == userId).ToListAsync(ct);
        var now = clock.GetUtcNow();
        var revoked = 0;
        foreach (var session in sessions.Where(s => s.Id != except))
        {
            db.Delete(session);
            db.Events.Append(AccountStream.IdFor(userId), new SessionRevoked(userId, session.Id, by, now));
            revoked++;
        }
        await db.SaveChangesAsync(ct);
        return revoked;
    }

    public async Task EndAsync(ClaimsPrincipal principal, CancellationToken ct)
    {
        if (IdOf(principal) is not { } sessionId || principal.FindFirstValue(ClaimTypes.NameIdentifier) is not { } userId) return;
        await using var db = store.LightweightSession();
        db.Delete<UserSession>(sessionId);
        db.Events.Append(AccountStream.IdFor(userId), new SignedOut(userId, sessionId, clock.GetUtcNow()));
        await db.SaveChangesAsync(ct);
    }

    // Runs on every request with a cookie: the session must still exist, be younger than its lifetime, and its
    // account must still be allowed in.
    public async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var principal = context.Principal;
        var userId = principal?.FindFirstValue(ClaimTypes.NameIdentifier);
        if (principal is null || userId is null || IdOf(principal) is not { } sessionId)
        {
            await RejectAsync(context);
            return;
        }

        var now = clock.GetUtcNow();
        // Passed a moment ago, and nothing about it has changed since (SessionChecks): no need to ask the database.
        if (checks.Find(sessionId) is { } passed && passed.UserId == userId && now - passed.CreatedAt <= Lifetime && now - passed.LastSeenAt <= TouchEvery)
            return;

        var generation = checks.Generation;
        await using var db = store.LightweightSession();
        // One round trip for both.
        var batch = db.CreateBatchQuery();
        var loadingSession = batch.Load<UserSession>(sessionId);
        var loadingUser = batch.Load<SambungUser>(userId);
        await batch.Execute(context.HttpContext.RequestAborted);
        var (session, user) = (await loadingSession, await loadingUser);
        if (session is null || session.UserId != userId || user is null || user.Disabled || !user.Approved || now - session.CreatedAt > Lifetime)
        {
            await RejectAsync(context);
            return;
        }
        if (now - session.LastSeenAt > TouchEvery)
        {
            session.LastSeenAt = now;
            session.Address = context.HttpContext.Connection.RemoteIpAddress?.ToString() ?? session.Address;
            db.Store(session);
            try
            {
                await db.SaveChangesAsync(context.HttpContext.RequestAborted);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "Could not record the last use of session {SessionId}", sessionId);
            }
        }
        checks.Keep(sessionId, new SessionChecks.Passed(userId, session.CreatedAt, session.LastSeenAt), generation);
    }

    public static Guid? IdOf(ClaimsPrincipal principal) =>
        Guid.TryParse(principal.FindFirstValue(SessionClaim), out var id) ? id : null;

    private static async Task RejectAsync(CookieValidatePrincipalContext context)
    {
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(context.Scheme.Name);
    }

    private static string? Truncate(string value, int max) =>
        string.IsNullOrEmpty(value) ? null : value.Length <= max ? value : value[..max];
}
