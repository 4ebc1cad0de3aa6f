namespace Sambung.Web.Infrastructure;

public static class SecurityHeaders
{
    // Strict CSP: no inline script or style anywhere, so injected markup cannot run even if it slipped through.
    // Forms may only post here, and to the single sign-on provider (the sign-in button's redirect goes there).
    public static string ContentSecurityPolicy(string? ssoAuthority)
    {
        var formTargets = "'self'";
        if (Uri.TryCreate(ssoAuthority, UriKind.Absolute, out var sso)) formTargets += " " + sso.GetLeftPart(UriPartial.Authority);
        return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
            $"font-src 'self'; object-src 'none'; base-uri 'self'; form-action {formTargets}; frame-ancestors 'none'";
    }

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app, IConfiguration config)
    {
        var policy = ContentSecurityPolicy(config["OIDC_AUTHORITY"]);
        return app.Use(async (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = policy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "same-origin";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
            await next();
        });
    }
}
