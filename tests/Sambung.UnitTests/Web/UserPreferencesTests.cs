using Microsoft.AspNetCore.Http;
using Sambung.Web.Features.Accounts;

namespace Sambung.UnitTests.Web;

public sealed class UserPreferencesTests
{
    [Theory]
    [InlineData(200, 200)]
    [InlineData(400, 400)]
    [InlineData(280, 280)]
    [InlineData(249, 240)]
    [InlineData(250, 260)]
    [InlineData(399, 400)]
    public void a_sidebar_width_in_range_lands_on_the_nearest_step(int width, int expected) =>
        Assert.Equal(expected, UserPreferences.SidebarWidth(width));

    [Theory]
    [InlineData(199)]
    [InlineData(401)]
    [InlineData(0)]
    [InlineData(-300)]
    [InlineData(int.MaxValue)]
    public void a_sidebar_width_out_of_range_is_refused(int width)
    {
        Assert.Null(UserPreferences.SidebarWidth(width));
        Assert.Equal(UserPreferences.SidebarOutOfRange, UserPreferences.Refusal("system", 1, null, width, null));
    }

    [Theory]
    [InlineData("dark", 3, "id", 400, "compact")]
    [InlineData("system", 0, null, null, null)] // absent width and density: unchanged
    [InlineData("light", 1, "en", 200, "comfortable")]
    public void known_choices_pass(string theme, int text, string? language, int? width, string? density) =>
        Assert.Null(UserPreferences.Refusal(theme, text, language, width, density));

    [Theory]
    [InlineData("neon", 1, null, null, null)]
    [InlineData("dark", 4, null, null, null)]
    [InlineData("dark", 1, "fr", null, null)]
    [InlineData("dark", 1, null, 280, "cosy")]
    [InlineData("dark", 1, null, 280, "")]
    public void anything_else_is_not_a_choice(string theme, int text, string? language, int? width, string? density) =>
        Assert.Equal(UserPreferences.NotAChoice, UserPreferences.Refusal(theme, text, language, width, density));

    [Fact]
    public void the_page_takes_known_cookie_values_only()
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.Cookie = "theme=dark; text=2; sidebar=360; density=compact; privacy=on";
        Assert.Equal(new PagePreferences("dark", 2, 360, "compact", true), UserPreferences.Of(context.Request));

        context.Request.Headers.Cookie = "theme=neon; text=9; sidebar=370; density=tight; privacy=1";
        Assert.Equal(UserPreferences.Defaults, UserPreferences.Of(context.Request));
    }
}
