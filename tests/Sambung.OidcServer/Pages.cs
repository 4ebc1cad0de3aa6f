using System.Net;
using System.Text;

namespace Sambung.OidcServer;

/// <summary>The provider's few HTML pages: deliberately plain, labelled and free of scripts.</summary>
internal static class Pages
{
    public static string Login(string? returnUrl, string? username, string? error)
    {
        var html = new StringBuilder();
        html.Append("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>Sign in - Test OpenID Connect provider</title>\n</head>\n<body>\n<main>\n")
            .Append("<h1>Sign in</h1>\n");
        if (error is not null)
        {
            html.Append("<p role=\"alert\" id=\"login-error\">").Append(Encode(error)).Append("</p>\n");
        }
        html.Append("<form method=\"post\" action=\"/account/login\">\n");
        if (!string.IsNullOrEmpty(returnUrl))
        {
            html.Append("<input type=\"hidden\" name=\"ReturnUrl\" value=\"").Append(Encode(returnUrl)).Append("\">\n");
        }
        html.Append("<p><label for=\"username\">Username</label>\n")
            .Append("<input type=\"text\" id=\"username\" name=\"username\" autocomplete=\"username\" autocapitalize=\"none\" spellcheck=\"false\" value=\"")
            .Append(Encode(username ?? string.Empty)).Append('"');
        if (error is not null)
        {
            html.Append(" aria-describedby=\"login-error\"");
        }
        html.Append("></p>\n")
            .Append("<p><label for=\"password\">Password</label>\n")
            .Append("<input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"current-password\"></p>\n")
            .Append("<p><button type=\"submit\">Log in</button></p>\n")
            .Append("</form>\n</main>\n</body>\n</html>\n");
        return html.ToString();
    }

    public static string Message(string title, string text) =>
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n" +
        $"<title>{Encode(title)} - Test OpenID Connect provider</title>\n</head>\n<body>\n<main>\n" +
        $"<h1>{Encode(title)}</h1>\n<p>{Encode(text)}</p>\n</main>\n</body>\n</html>\n";

    private static string Encode(string value) => WebUtility.HtmlEncode(value);
}
