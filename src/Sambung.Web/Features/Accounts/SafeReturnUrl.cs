using Microsoft.AspNetCore.Mvc;

namespace Sambung.Web.Features.Accounts;

// Where to go after signing in: only ever a path on this site ("//evil.example", "/\evil.example" and absolute
// URLs are not local), else the home page.
public static class SafeReturnUrl
{
    public static string Of(IUrlHelper url, string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && url.IsLocalUrl(returnUrl) ? returnUrl : "/";
}
