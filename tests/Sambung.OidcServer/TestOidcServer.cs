using System.Collections.Immutable;
using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Sambung.OidcServer;

/// <summary>
/// A real OpenID Connect provider for tests: OpenIddict's server in degraded mode (no database,
/// ephemeral keys, everything in memory) on <c>http://127.0.0.1:&lt;random port&gt;</c>.
/// </summary>
/// <remarks>
/// <para>Supports the authorization code flow with PKCE (required) for one confidential client
/// (<see cref="ClientId"/>/<see cref="ClientSecret"/>), the refresh token flow, and the scopes
/// <c>openid profile email groups offline_access</c>.</para>
/// <para>Endpoints: discovery (<c>/.well-known/openid-configuration</c>), JWKS (<c>/.well-known/jwks</c>),
/// <c>/connect/authorize</c>, <c>/connect/token</c>, <c>/connect/userinfo</c>, <c>/connect/logout</c>;
/// the login page is <c>/account/login</c>.</para>
/// <para>Each instance is its own <see cref="WebApplication"/> with its own keys, users and cookie name,
/// so instances share no state.</para>
/// </remarks>
public sealed class TestOidcServer : IAsyncDisposable
{
    /// <summary>The login page the authorization endpoint redirects to when the user is not signed in at the provider.</summary>
    public const string LoginPath = "/account/login";

    /// <summary>The message shown (with status 200) when a login attempt fails.</summary>
    public const string InvalidCredentialsMessage = "Invalid username or password.";

    /// <summary>The non-standard scope that asks for the <c>groups</c> claim.</summary>
    public const string GroupsScope = "groups";

    /// <summary>The claim carrying the user's groups (one claim per group; a JSON array in tokens).</summary>
    public const string GroupsClaim = "groups";

    private const string ProviderCookieScheme = CookieAuthenticationDefaults.AuthenticationScheme;

    private readonly WebApplication _app;
    private readonly UserList _users;
    private readonly TestOidcOptions _options;
    private int _disposed;

    private TestOidcServer(WebApplication app, UserList users, TestOidcOptions options, string cookieName)
    {
        _app = app;
        _users = users;
        _options = options;
        ProviderCookieName = cookieName;
    }

    /// <summary>The provider's base address, <c>http://127.0.0.1:PORT</c> (no trailing slash).</summary>
    /// <remarks>The <c>iss</c> value in the discovery document and in tokens is <see cref="Issuer"/> (with the trailing slash).</remarks>
    public string Authority { get; private set; } = string.Empty;

    /// <summary>The exact issuer identifier, <c>http://127.0.0.1:PORT/</c>, as found in the discovery document and in tokens.</summary>
    public string Issuer => Authority + "/";

    /// <summary>The TCP port the provider listens on (on 127.0.0.1).</summary>
    public int Port => new Uri(Authority).Port;

    /// <summary>The discovery document's address.</summary>
    public string DiscoveryEndpoint => Authority + "/.well-known/openid-configuration";

    /// <summary>The only accepted client identifier.</summary>
    public string ClientId => _options.ClientId;

    /// <summary>The client secret expected at the token endpoint.</summary>
    public string ClientSecret => _options.ClientSecret;

    /// <summary>The name of the provider's own session cookie (unique per instance, set on 127.0.0.1).</summary>
    /// <remarks>Browsers do not separate cookies by port, so the provider and the application under test
    /// share one cookie jar on 127.0.0.1: this name is random so it never collides with the application's cookies.</remarks>
    public string ProviderCookieName { get; }

    /// <summary>The users who can sign in. Thread-safe; users can be added or removed at any time.</summary>
    /// <remarks>When several users share a username (or subject), the one added last wins.</remarks>
    public IList<TestOidcUser> Users => _users;

    /// <summary>Starts a provider on 127.0.0.1 on a free port.</summary>
    public static async Task<TestOidcServer> StartAsync(TestOidcOptions? options = null, CancellationToken ct = default)
    {
        options ??= new TestOidcOptions();
        ArgumentException.ThrowIfNullOrEmpty(options.ClientId, "options.ClientId");
        ArgumentException.ThrowIfNullOrEmpty(options.ClientSecret, "options.ClientSecret");
        if (string.IsNullOrEmpty(options.CallbackPath) || options.CallbackPath[0] != '/')
        {
            throw new ArgumentException("CallbackPath must start with '/'.", nameof(options));
        }

        var users = new UserList();
        foreach (var user in options.Users ?? [])
        {
            users.Add(user);
        }

        var cookieName = "sambung-oidc-provider-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

        // The empty builder reads no appsettings.json, environment variables or command line,
        // so nothing in the test process (ASPNETCORE_URLS, ...) can change how the provider runs.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(TestOidcServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });

        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(2));

        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(options.MinimumLogLevel);
        // The in-memory key ring below is unencrypted by design: don't warn about it.
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "HH:mm:ss.fff ";
        });

        builder.Services.AddRouting();

        // Keys for the provider cookie live in memory only (nothing under ~/.aspnet, nothing shared).
        builder.Services.AddDataProtection();
        builder.Services.Configure<KeyManagementOptions>(keys => keys.XmlRepository = new InMemoryXmlRepository());

        builder.Services
            .AddAuthentication(ProviderCookieScheme)
            .AddCookie(ProviderCookieScheme, cookie =>
            {
                cookie.Cookie.Name = cookieName;
                cookie.Cookie.Path = "/";
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SameSite = SameSiteMode.Lax;
                cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                cookie.LoginPath = LoginPath;
                cookie.LogoutPath = "/connect/logout";
                cookie.ReturnUrlParameter = "ReturnUrl";
                cookie.SlidingExpiration = false;
                cookie.ExpireTimeSpan = TimeSpan.FromHours(8);
            });

        builder.Services.AddOpenIddict()
            .AddServer(server =>
            {
                server.SetAuthorizationEndpointUris("connect/authorize")
                      .SetTokenEndpointUris("connect/token")
                      .SetUserInfoEndpointUris("connect/userinfo")
                      .SetEndSessionEndpointUris("connect/logout");

                server.AllowAuthorizationCodeFlow()
                      .AllowRefreshTokenFlow()
                      .RequireProofKeyForCodeExchange();

                server.RegisterScopes(Scopes.OpenId, Scopes.Profile, Scopes.Email, GroupsScope, Scopes.OfflineAccess);
                server.RegisterClaims(Claims.Subject, Claims.Name, Claims.PreferredUsername,
                    Claims.Email, Claims.EmailVerified, GroupsClaim);

                // No database: clients, redirect URIs and secrets are checked by the handlers below.
                server.EnableDegradedMode();

                // Keys generated in memory for this instance only; access tokens are plain signed JWTs.
                // The encryption key only protects what the provider reads back itself (authorization
                // codes, refresh tokens), so a symmetric AES key wrap key is used instead of the default
                // RSA-OAEP one: generating a 2048-bit RSA key takes from 0.1 s to 3 s on a busy machine.
                server.AddEphemeralEncryptionKey(SecurityAlgorithms.Aes256KW)
                      .AddEphemeralSigningKey(options.SigningAlgorithm)
                      .DisableAccessTokenEncryption();

                if (options.AccessTokenLifetime is { } accessTokenLifetime)
                {
                    server.SetAccessTokenLifetime(accessTokenLifetime);
                }
                if (options.IdentityTokenLifetime is { } identityTokenLifetime)
                {
                    server.SetIdentityTokenLifetime(identityTokenLifetime);
                }

                server.UseAspNetCore()
                      .DisableTransportSecurityRequirement()
                      .EnableAuthorizationEndpointPassthrough()
                      .EnableEndSessionEndpointPassthrough();

                server.AddEventHandler<OpenIddictServerEvents.ValidateAuthorizationRequestContext>(handler =>
                    handler.UseInlineHandler(context =>
                    {
                        // invalid_request (400), as OpenIddict itself answers for an unknown client at this endpoint.
                        if (!string.Equals(context.ClientId, options.ClientId, StringComparison.Ordinal))
                        {
                            context.Reject(Errors.InvalidRequest, "The specified 'client_id' is not known to this provider.");
                        }
                        else if (!LoopbackUris.IsAllowedRedirectUri(context.RedirectUri, options.CallbackPath))
                        {
                            context.Reject(Errors.InvalidRequest,
                                $"The specified 'redirect_uri' is not allowed: it must be http://127.0.0.1:<port>{options.CallbackPath} or http://localhost:<port>{options.CallbackPath}.");
                        }
                        return default;
                    }));

                server.AddEventHandler<OpenIddictServerEvents.ValidateTokenRequestContext>(handler =>
                    handler.UseInlineHandler(context =>
                    {
                        if (!string.Equals(context.ClientId, options.ClientId, StringComparison.Ordinal))
                        {
                            context.Reject(Errors.InvalidClient, "The specified 'client_id' is not known to this provider.");
                        }
                        else if (!SecretMatches(context.ClientSecret, options.ClientSecret))
                        {
                            context.Reject(Errors.InvalidClient, "The specified client credentials are invalid.");
                        }
                        return default;
                    }));

                server.AddEventHandler<OpenIddictServerEvents.ValidateEndSessionRequestContext>(handler =>
                    handler.UseInlineHandler(context =>
                    {
                        if (!string.IsNullOrEmpty(context.ClientId) &&
                            !string.Equals(context.ClientId, options.ClientId, StringComparison.Ordinal))
                        {
                            context.Reject(Errors.InvalidRequest, "The specified 'client_id' is not known to this provider.");
                        }
                        else if (!string.IsNullOrEmpty(context.PostLogoutRedirectUri) &&
                                 !LoopbackUris.IsAllowedPostLogoutRedirectUri(context.PostLogoutRedirectUri))
                        {
                            context.Reject(Errors.InvalidRequest,
                                "The specified 'post_logout_redirect_uri' is not allowed: it must be on http://127.0.0.1:<port> or http://localhost:<port>.");
                        }
                        return default;
                    }));

                // The built-in userinfo handler only copies a few standard claims: add the rest,
                // following the same scope rules as the identity token.
                server.AddEventHandler<OpenIddictServerEvents.HandleUserInfoRequestContext>(handler =>
                    handler.UseInlineHandler(context =>
                    {
                        PopulateUserInfo(context, options);
                        return default;
                    }));
            });

        var app = builder.Build();
        var server = new TestOidcServer(app, users, options, cookieName);

        app.UseAuthentication();
        app.MapMethods("/connect/authorize", [HttpMethods.Get, HttpMethods.Post], (RequestDelegate)server.AuthorizeAsync);
        app.MapMethods("/connect/logout", [HttpMethods.Get, HttpMethods.Post], (RequestDelegate)server.LogoutAsync);
        app.MapGet(LoginPath, (RequestDelegate)server.LoginPageAsync);
        app.MapPost(LoginPath, (RequestDelegate)server.LoginAsync);
        app.MapGet("/", (RequestDelegate)server.HomeAsync);

        try
        {
            // Build OpenIddict's options now: this is when an ephemeral RSA key is actually generated
            // (RSA.Create is lazy), which can take seconds on a busy machine. Better here than in the
            // first browser request, where it would eat into the test's timeouts.
            await Task.Run(() => app.Services.GetRequiredService<IOptionsMonitor<OpenIddictServerOptions>>().CurrentValue, ct)
                .ConfigureAwait(false);
            await app.StartAsync(ct).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("Kestrel did not report the address it listens on.");
        server.Authority = $"http://127.0.0.1:{new Uri(address).Port}";
        return server;
    }

    /// <summary>Stops the provider; open connections are aborted after at most two seconds.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
        {
            try
            {
                await _app.StopAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Connections that did not finish in time were aborted.
            }
        }
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    // ---- authorization endpoint (pass-through: OpenIddict has already validated the request) ----

    private async Task AuthorizeAsync(HttpContext http)
    {
        var request = http.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenID Connect request cannot be retrieved.");

        var session = await http.AuthenticateAsync(ProviderCookieScheme);
        var user = session.Succeeded && session.Principal.FindFirst(Claims.Subject)?.Value is { } subject
            ? _users.FindBySubject(subject)
            : null;

        // max_age: a session older than that must log in again (with a little slack so that a
        // fresh login does not loop on max_age=0).
        var tooOld = request.MaxAge is { } maxAge &&
                     session.Properties?.IssuedUtc is { } issued &&
                     DateTimeOffset.UtcNow - issued > TimeSpan.FromSeconds(Math.Max(maxAge, 5));

        if (user is null || request.HasPromptValue(PromptValues.Login) || tooOld)
        {
            if (request.HasPromptValue(PromptValues.None))
            {
                await http.ForbidAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, new AuthenticationProperties(
                    new Dictionary<string, string?>
                    {
                        [OpenIddictServerAspNetCoreConstants.Properties.Error] = Errors.LoginRequired,
                        [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = "The user is not logged in.",
                    }));
                return;
            }

            // As in the OpenIddict samples: send the user to the login page with the whole authorization
            // request as the return URL (prompt=login removed so that coming back does not loop).
            var prompt = string.Join(' ', request.GetPromptValues().Remove(PromptValues.Login));
            var parameters = (http.Request.HasFormContentType
                    ? http.Request.Form.Where(p => p.Key != Parameters.Prompt)
                    : http.Request.Query.Where(p => p.Key != Parameters.Prompt))
                .ToList();
            if (prompt.Length != 0)
            {
                parameters.Add(KeyValuePair.Create(Parameters.Prompt, new StringValues(prompt)));
            }

            await http.ChallengeAsync(ProviderCookieScheme, new AuthenticationProperties
            {
                RedirectUri = http.Request.PathBase + http.Request.Path + QueryString.Create(parameters),
            });
            return;
        }

        var identity = CreateIdentity(user, request.GetScopes(), _options);
        await http.SignInAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
    }

    private static ClaimsIdentity CreateIdentity(TestOidcUser user, ImmutableArray<string> scopes, TestOidcOptions options)
    {
        var identity = new ClaimsIdentity(
            authenticationType: TokenValidationParameters.DefaultAuthenticationType,
            nameType: Claims.Name,
            roleType: Claims.Role);

        identity.SetClaim(Claims.Subject, user.Subject)
                .SetClaim(Claims.Name, user.Name)
                .SetClaim(Claims.PreferredUsername, user.Username)
                .SetClaim(Claims.Email, user.Email)
                .SetClaim(Claims.EmailVerified, user.EmailVerified);

        var groups = (user.Groups ?? []).Where(g => !string.IsNullOrEmpty(g)).Distinct(StringComparer.Ordinal).ToImmutableArray();
        if (groups.Length != 0)
        {
            identity.SetClaims(GroupsClaim, groups);
        }

        identity.SetScopes(scopes);

        var profile = scopes.Contains(Scopes.Profile);
        var email = scopes.Contains(Scopes.Email);
        var groupsGranted = !options.GroupsRequireScope || scopes.Contains(GroupsScope);

        // Everything goes into the access token (so /connect/userinfo can answer from it);
        // the identity token gets what the granted scopes allow.
        identity.SetDestinations(claim => claim.Type switch
        {
            Claims.Subject => [Destinations.AccessToken, Destinations.IdentityToken],
            Claims.Name or Claims.PreferredUsername when profile => [Destinations.AccessToken, Destinations.IdentityToken],
            Claims.Email or Claims.EmailVerified when email => [Destinations.AccessToken, Destinations.IdentityToken],
            GroupsClaim when groupsGranted => [Destinations.AccessToken, Destinations.IdentityToken],
            Claims.Name or Claims.PreferredUsername or Claims.Email or Claims.EmailVerified or GroupsClaim => [Destinations.AccessToken],
            _ => [],
        });

        return identity;
    }

    private static void PopulateUserInfo(OpenIddictServerEvents.HandleUserInfoRequestContext context, TestOidcOptions options)
    {
        var principal = context.AccessTokenPrincipal;
        if (principal is null)
        {
            return;
        }

        if (principal.HasScope(Scopes.Profile))
        {
            context.PreferredUsername = principal.GetClaim(Claims.PreferredUsername);
            if (principal.GetClaim(Claims.Name) is { } name)
            {
                context.Claims[Claims.Name] = name;
            }
        }

        if (principal.HasScope(Scopes.Email))
        {
            context.Email = principal.GetClaim(Claims.Email);
            if (bool.TryParse(principal.GetClaim(Claims.EmailVerified), out var verified))
            {
                context.EmailVerified = verified;
            }
        }

        if (!options.GroupsRequireScope || principal.HasScope(GroupsScope))
        {
            var groups = principal.GetClaims(GroupsClaim);
            if (groups.Length != 0)
            {
                context.Claims[GroupsClaim] = ImmutableArray<string?>.CastUp(groups);
            }
        }
    }

    private static bool SecretMatches(string? presented, string expected) =>
        presented is not null &&
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(expected));

    // ---- login page ----

    private Task LoginPageAsync(HttpContext http) =>
        WriteHtmlAsync(http, StatusCodes.Status200OK, Pages.Login(http.Request.Query["ReturnUrl"].ToString(), username: null, error: null));

    private async Task LoginAsync(HttpContext http)
    {
        if (!http.Request.HasFormContentType)
        {
            http.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return;
        }

        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var username = form["username"].ToString();
        var password = form["password"].ToString();
        var returnUrl = form["ReturnUrl"].ToString();

        var user = _users.FindByCredentials(username, password);
        if (user is null)
        {
            await WriteHtmlAsync(http, StatusCodes.Status200OK, Pages.Login(returnUrl, username, InvalidCredentialsMessage));
            return;
        }

        var identity = new ClaimsIdentity(ProviderCookieScheme, Claims.Name, Claims.Role);
        identity.AddClaim(new Claim(Claims.Subject, user.Subject));
        identity.AddClaim(new Claim(Claims.Name, user.Username));
        await http.SignInAsync(ProviderCookieScheme, new ClaimsPrincipal(identity),
            new AuthenticationProperties { IssuedUtc = DateTimeOffset.UtcNow });

        // Only ever go back to this provider's own authorization endpoint (no open redirect).
        http.Response.Redirect(IsLocalAuthorizeUrl(returnUrl) ? returnUrl : "/");
    }

    private static bool IsLocalAuthorizeUrl(string url) =>
        url.StartsWith("/connect/authorize", StringComparison.Ordinal) &&
        (url.Length == "/connect/authorize".Length || url["/connect/authorize".Length] == '?');

    // ---- end session endpoint (pass-through) ----

    private async Task LogoutAsync(HttpContext http)
    {
        var request = http.GetOpenIddictServerRequest();
        await http.SignOutAsync(ProviderCookieScheme);

        if (string.IsNullOrEmpty(request?.PostLogoutRedirectUri))
        {
            await WriteHtmlAsync(http, StatusCodes.Status200OK, Pages.Message("Signed out", "You have been signed out."));
            return;
        }

        // OpenIddict redirects to the (validated) post_logout_redirect_uri, adding the state parameter.
        await http.SignOutAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme,
            new AuthenticationProperties { RedirectUri = "/" });
    }

    private async Task HomeAsync(HttpContext http)
    {
        var session = await http.AuthenticateAsync(ProviderCookieScheme);
        var text = session.Succeeded && session.Principal.Identity?.Name is { } name
            ? $"Signed in as {name}."
            : "Not signed in.";
        await WriteHtmlAsync(http, StatusCodes.Status200OK, Pages.Message("Test OpenID Connect provider", text));
    }

    private static async Task WriteHtmlAsync(HttpContext http, int status, string html)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "text/html; charset=utf-8";
        http.Response.Headers.CacheControl = "no-store";
        await http.Response.WriteAsync(html, http.RequestAborted);
    }
}
