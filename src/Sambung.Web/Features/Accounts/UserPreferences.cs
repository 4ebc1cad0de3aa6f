using Microsoft.AspNetCore.Localization;

namespace Sambung.Web.Features.Accounts;

// What the layout puts on <html>: the look of every page, from known values only.
public sealed record PagePreferences(string Theme, int TextSize, int SidebarWidth, string Density, bool Privacy);

// How a user wants the pages to look and speak. Stored on the account; carried in cookies so every page (the
// sign-in pages too, and without a database read) renders with them: set when saved and at every sign-in.
public static class UserPreferences
{
    public const string SystemTheme = "system";
    public static readonly string[] Themes = [SystemTheme, "light", "dark"];
    public const int NormalText = 1;
    public const int TextSizes = 4;
    public static readonly string[] Languages = ["en", "id"];

    // The sidebar's width in steps of 20 px: the stylesheet has one rule per step (the CSP forbids inline styles).
    public const int MinSidebarWidth = 200;
    public const int MaxSidebarWidth = 400;
    public const int SidebarStep = 20;
    public const int NormalSidebarWidth = 280;

    public const string Comfortable = "comfortable";
    public static readonly string[] Densities = [Comfortable, "compact"];

    public const string ThemeCookie = "theme";
    public const string TextCookie = "text";
    public const string SidebarCookie = "sidebar";
    public const string DensityCookie = "density";
    public const string PrivacyCookie = "privacy";

    public static readonly PagePreferences Defaults = new(SystemTheme, NormalText, NormalSidebarWidth, Comfortable, false);

    // A width inside the range, on the nearest step (a typed 250 becomes 260); outside the range: refused (null).
    public static int? SidebarWidth(int width) =>
        width is < MinSidebarWidth or > MaxSidebarWidth
            ? null
            : Math.Min(MaxSidebarWidth, (int)Math.Round(width / (double)SidebarStep, MidpointRounding.AwayFromZero) * SidebarStep);

    public const string SidebarOutOfRange = "sidebar";
    public const string NotAChoice = "choice";

    // Why a set of look-and-language settings is refused, or null when it is fine. Absent (null) width and density
    // mean "unchanged".
    public static string? Refusal(string theme, int textSize, string? language, int? sidebarWidth, string? density) =>
        !Themes.Contains(theme) || textSize is < 0 or >= TextSizes || (language is not null && !Languages.Contains(language))
            || (density is not null && !Densities.Contains(density)) ? NotAChoice
        : sidebarWidth is { } width && SidebarWidth(width) is null ? SidebarOutOfRange
        : null;

    public static void Apply(HttpResponse response, SambungUser user)
    {
        var options = new CookieOptions { Path = "/", MaxAge = TimeSpan.FromDays(365), SameSite = SameSiteMode.Lax, HttpOnly = true, IsEssential = true };
        response.Cookies.Append(ThemeCookie, user.Theme, options);
        response.Cookies.Append(TextCookie, user.TextSize.ToString(), options);
        response.Cookies.Append(SidebarCookie, user.SidebarWidth.ToString(), options);
        response.Cookies.Append(DensityCookie, user.MessageDensity, options);
        response.Cookies.Append(PrivacyCookie, user.PrivacyMode ? "on" : "off", options);
        if (user.Language is { } language)
            response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
                CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(language)), options);
        else
            response.Cookies.Delete(CookieRequestCultureProvider.DefaultCookieName); // the browser's language decides
    }

    // Known values only, whatever a cookie says.
    public static PagePreferences Of(HttpRequest request)
    {
        var cookies = request.Cookies;
        return new(
            cookies[ThemeCookie] is { } theme && Themes.Contains(theme) ? theme : Defaults.Theme,
            int.TryParse(cookies[TextCookie], out var size) && size is >= 0 and < TextSizes ? size : Defaults.TextSize,
            int.TryParse(cookies[SidebarCookie], out var width) && SidebarWidth(width) == width ? width : Defaults.SidebarWidth,
            cookies[DensityCookie] is { } density && Densities.Contains(density) ? density : Defaults.Density,
            cookies[PrivacyCookie] == "on");
    }
}
