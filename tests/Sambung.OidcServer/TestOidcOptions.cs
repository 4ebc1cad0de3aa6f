namespace Sambung.OidcServer;

/// <summary>
/// Settings of a <see cref="TestOidcServer"/>.
/// </summary>
/// <remarks>
/// Redirect URIs are not registered in advance because the application under test listens on a
/// random port: any <c>http://127.0.0.1:&lt;port&gt;</c> or <c>http://localhost:&lt;port&gt;</c> URI whose
/// path is <see cref="CallbackPath"/> is accepted as <c>redirect_uri</c>, and any URI on those two
/// hosts is accepted as <c>post_logout_redirect_uri</c>.
/// </remarks>
public sealed record TestOidcOptions
{
    /// <summary>The only client identifier the server accepts.</summary>
    public string ClientId { get; init; } = "sambung";

    /// <summary>The client secret expected at the token endpoint (client_secret_post or client_secret_basic).</summary>
    public string ClientSecret { get; init; } = "test-secret";

    /// <summary>The path every accepted <c>redirect_uri</c> must have (the OpenIdConnect handler's CallbackPath).</summary>
    public string CallbackPath { get; init; } = "/signin-oidc";

    /// <summary>Users present from the start; more can be added at any time through <see cref="TestOidcServer.Users"/>.</summary>
    public IEnumerable<TestOidcUser>? Users { get; init; }

    /// <summary>
    /// When <c>false</c> (the default) the <c>groups</c> claim is issued whenever the user has groups;
    /// when <c>true</c> it is issued only if the client asked for the <c>groups</c> scope.
    /// </summary>
    public bool GroupsRequireScope { get; init; }

    /// <summary>
    /// The algorithm of the ephemeral signing key: <c>RS256</c> (the default, which every OpenID Connect
    /// client supports) or <c>ES256</c> (a P-256 key, generated instantly; an RSA key takes from 0.1 s to
    /// a few seconds to generate on a busy machine). Any algorithm OpenIddict's <c>AddEphemeralSigningKey</c> accepts.
    /// </summary>
    public string SigningAlgorithm { get; init; } = "RS256";

    /// <summary>Lifetime of access tokens; <c>null</c> keeps OpenIddict's default (one hour).</summary>
    public TimeSpan? AccessTokenLifetime { get; init; }

    /// <summary>Lifetime of identity tokens; <c>null</c> keeps OpenIddict's default (20 minutes).</summary>
    public TimeSpan? IdentityTokenLifetime { get; init; }

    /// <summary>Minimum level of the server's console log. Defaults to <see cref="Microsoft.Extensions.Logging.LogLevel.Warning"/>.</summary>
    public Microsoft.Extensions.Logging.LogLevel MinimumLogLevel { get; init; } = Microsoft.Extensions.Logging.LogLevel.Warning;
}
