using Microsoft.AspNetCore.Localization;

namespace Sambung.Web.Features.Accounts;

// How a user wants the pages to look and speak. Stored on the account; carried in cookies so every page (the
// sign-in pages too, and without a database read) renders with them: set when saved and at every sign-in.
public static class UserPreferences
{
    public const string SystemTheme = "system";
    public static readonly string[] Themes = [SystemTheme, "light", "dark"];
    public const int NormalText = 1;
    public const int TextSizes = 4;
    public static readonly string[] Languages = ["en", "id"];

    public const string ThemeCookie = "theme";
    public const string TextCookie = "text";

    public static void Apply(HttpResponse response, SambungUser user)
    {
        var options = new CookieOptions { Path = "/", MaxAge = TimeSpan.FromDays(365), SameSite = SameSiteMode.Lax, HttpOnly = true, IsEssential = true };
        response.Cookies.Append(ThemeCookie, user.Theme, options);
        response.Cookies.Append(TextCookie, user.TextSize.ToString(), options);
        if (user.Language is { } language)
            response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
                CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(language)), options);
        else
            response.Cookies.Delete(CookieRequestCultureProvider.DefaultCookieName); // the browser's language decides
    }

    // What the layout puts on <html>: known values only, whatever a cookie says.
    public static (string Theme, int TextSize) Of(HttpRequest request) =>
        (request.Cookies[ThemeCookie] is { } theme && Themes.Contains(theme) ? theme : SystemTheme,
         int.TryParse(request.Cookies[TextCookie], out var size) && size is >= 0 and < TextSizes ? size : NormalText);
}
