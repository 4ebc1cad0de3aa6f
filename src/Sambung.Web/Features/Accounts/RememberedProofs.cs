using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Sambung.Web.Features.Accounts;

// Every request a browser makes carries the same encrypted proofs: the sign-in cookie, and on each form post the
// antiforgery pair. Decrypting them is most of what signing a request in costs (0.08 and 0.11 ms here), and it is paid
// again on every request, including the send that the first word of a reply waits for. So a proof this process has
// already checked is remembered for a few minutes: the next request carrying exactly the same strings gets the
// answer checking them again would give.
//   Keyed by the exact strings the browser sent, so only a browser that holds them can hit the memory (the process
// holds the keys that make them anyway). Nothing is remembered about a proof that failed. What the proofs only promise
// (a cookie's expiry, the session behind it, the user's stamp) is still checked on every request, after this.
public sealed class ProofMemory<T>(TimeProvider clock, int capacity = 10_000, TimeSpan? keepFor = null)
{
    private readonly ConcurrentDictionary<string, (T Value, DateTimeOffset Until)> known = new();
    private readonly TimeSpan keep = keepFor ?? TimeSpan.FromMinutes(5);

    public int Count => known.Count;

    public static string KeyOf(params ReadOnlySpan<string?> parts) => string.Join('\u001f', parts);

    public bool TryGet(string key, out T value)
    {
        if (known.TryGetValue(key, out var entry) && entry.Until > clock.GetUtcNow())
        {
            value = entry.Value;
            return true;
        }
        value = default!;
        return false;
    }

    public void Remember(string key, T value)
    {
        // Full: start again rather than keep an order of use (a full memory means many browsers, each of which
        // pays one decryption to be remembered again).
        if (known.Count >= capacity) known.Clear();
        known[key] = (value, clock.GetUtcNow() + keep);
    }
}

// The sign-in cookie's format with the memory in front: a copy of the remembered ticket each time, as the cookie
// handler and the stamp validator may change the one they are given.
public sealed class RememberedTicketFormat(ISecureDataFormat<AuthenticationTicket> inner, TimeProvider clock) : ISecureDataFormat<AuthenticationTicket>
{
    private readonly ProofMemory<AuthenticationTicket> memory = new(clock);

    public string Protect(AuthenticationTicket data) => inner.Protect(data);

    public string Protect(AuthenticationTicket data, string? purpose) => inner.Protect(data, purpose);

    public AuthenticationTicket? Unprotect(string? protectedText) => Unprotect(protectedText, null);

    public AuthenticationTicket? Unprotect(string? protectedText, string? purpose)
    {
        if (string.IsNullOrEmpty(protectedText)) return inner.Unprotect(protectedText, purpose);
        var key = ProofMemory<AuthenticationTicket>.KeyOf(purpose, protectedText);
        if (memory.TryGet(key, out var known)) return Copy(known);
        var ticket = inner.Unprotect(protectedText, purpose);
        if (ticket is not null) memory.Remember(key, Copy(ticket));
        return ticket;
    }

    // ClaimsPrincipal.Clone shares its identities: each identity is copied too, claims and all.
    private static AuthenticationTicket Copy(AuthenticationTicket ticket) =>
        new(new ClaimsPrincipal(ticket.Principal.Identities.Select(i => i.Clone())), ticket.Properties.Clone(), ticket.AuthenticationScheme);
}

// Antiforgery with the memory in front: a pair of tokens already found valid for this user passes again. The tokens
// are read as the framework reads them (the header first, then the form field) and the user is everything the
// request token is bound to (the signed-in identities and their claims).
public sealed class RememberedAntiforgery(IAntiforgery inner, IOptions<AntiforgeryOptions> options, TimeProvider clock) : IAntiforgery
{
    private readonly ProofMemory<bool> memory = new(clock);

    public AntiforgeryTokenSet GetAndStoreTokens(HttpContext httpContext) => inner.GetAndStoreTokens(httpContext);

    public AntiforgeryTokenSet GetTokens(HttpContext httpContext) => inner.GetTokens(httpContext);

    public void SetCookieTokenAndHeader(HttpContext httpContext) => inner.SetCookieTokenAndHeader(httpContext);

    public async Task<bool> IsRequestValidAsync(HttpContext httpContext)
    {
        var key = await KeyAsync(httpContext);
        if (key is not null && memory.TryGet(key, out _)) return true;
        var valid = await inner.IsRequestValidAsync(httpContext);
        if (valid && key is not null) memory.Remember(key, true);
        return valid;
    }

    public async Task ValidateRequestAsync(HttpContext httpContext)
    {
        var key = await KeyAsync(httpContext);
        if (key is not null && memory.TryGet(key, out _)) return;
        await inner.ValidateRequestAsync(httpContext); // throws when invalid: nothing remembered
        if (key is not null) memory.Remember(key, true);
    }

    // Null when there is nothing to remember: a safe method (always valid), or a token missing (the check fails).
    private async Task<string?> KeyAsync(HttpContext httpContext)
    {
        var request = httpContext.Request;
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method) || HttpMethods.IsTrace(request.Method))
            return null;
        var settings = options.Value;
        var cookie = request.Cookies[settings.Cookie.Name!];
        string? token = settings.HeaderName is { } header ? request.Headers[header].ToString() : null;
        if (string.IsNullOrEmpty(token) && request.HasFormContentType)
            token = (await request.ReadFormAsync(httpContext.RequestAborted))[settings.FormFieldName].ToString();
        if (string.IsNullOrEmpty(cookie) || string.IsNullOrEmpty(token)) return null;
        return ProofMemory<bool>.KeyOf([cookie, token, .. Bearer(httpContext.User)]);
    }

    private static IEnumerable<string> Bearer(ClaimsPrincipal user) =>
        user.Identities.Where(i => i.IsAuthenticated).SelectMany(i =>
            new[] { $"identity:{i.AuthenticationType}:{i.Name}" }.Concat(i.Claims.Select(c => $"{c.Type}={c.Value}@{c.Issuer}")));
}
