namespace Sambung.OidcServer;

/// <summary>
/// The redirect URI rules of the test provider: the application under test runs on a random
/// loopback port, so URIs are matched by shape instead of being registered in advance.
/// </summary>
internal static class LoopbackUris
{
    /// <summary>
    /// <c>http://127.0.0.1:&lt;port&gt;&lt;callbackPath&gt;</c> or <c>http://localhost:&lt;port&gt;&lt;callbackPath&gt;</c>,
    /// without query or fragment.
    /// </summary>
    public static bool IsAllowedRedirectUri(string? value, string callbackPath) =>
        TryParse(value, out var uri) &&
        uri.Query.Length == 0 &&
        string.Equals(uri.AbsolutePath, callbackPath, StringComparison.Ordinal);

    /// <summary>Any <c>http://127.0.0.1:&lt;port&gt;/...</c> or <c>http://localhost:&lt;port&gt;/...</c> URI without fragment.</summary>
    public static bool IsAllowedPostLogoutRedirectUri(string? value) => TryParse(value, out _);

    private static bool TryParse(string? value, out Uri uri)
    {
        uri = null!;
        if (string.IsNullOrEmpty(value) || !Uri.TryCreate(value, UriKind.Absolute, out var parsed))
        {
            return false;
        }

        var loopbackHost = string.Equals(parsed.Host, "127.0.0.1", StringComparison.Ordinal) ||
                           string.Equals(parsed.Host, "localhost", StringComparison.OrdinalIgnoreCase);
        if (parsed.Scheme != Uri.UriSchemeHttp || !loopbackHost || parsed.UserInfo.Length != 0 || parsed.Fragment.Length != 0)
        {
            return false;
        }

        uri = parsed;
        return true;
    }
}
