using AngleSharp.Html.Parser;
using Sambung.Web.Features.Rendering;

namespace Sambung.UnitTests.Web;

public sealed class SafeMarkdownTests
{
    [Theory]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("<img src=x onerror=alert(1)>")]
    [InlineData("<div onclick=\"alert(1)\">x</div>")]
    [InlineData("[click](javascript:alert(1))")]
    [InlineData("[click](JaVaScRiPt:alert(1))")]
    [InlineData("![x](javascript:alert(1))")]
    [InlineData("[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)")]
    [InlineData("<a href=\"https://ok\" style=\"position:fixed\">x</a>")]
    [InlineData("[x](https://example.org \"a\" onmouseover=\"alert(1)\")")]
    [InlineData("<iframe src=\"https://evil\"></iframe>")]
    [InlineData("<svg><script>alert(1)</script></svg>")]
    public void hostile_markdown_renders_inert(string markdown)
    {
        var document = new HtmlParser().ParseDocument(SafeMarkdown.ToHtml(markdown));

        Assert.Empty(document.QuerySelectorAll("script, iframe, svg, object, embed"));
        foreach (var element in document.All)
            foreach (var attribute in element.Attributes)
            {
                Assert.False(attribute.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase), $"{attribute.Name} on <{element.LocalName}>");
                Assert.NotEqual("style", attribute.Name);
                Assert.DoesNotContain("javascript:", attribute.Value, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain("data:", attribute.Value, StringComparison.OrdinalIgnoreCase);
            }
    }

    [Fact]
    public void ordinary_markdown_keeps_its_formatting()
    {
        var html = SafeMarkdown.ToHtml("**bold** and `code`\n\n```csharp\nvar x = 1;\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |");

        Assert.Contains("<strong>bold</strong>", html);
        Assert.Contains("<code>code</code>", html);
        Assert.Contains("class=\"language-csharp\"", html);
        Assert.Contains("<table>", html);
    }

    [Fact]
    public void links_open_without_handing_over_the_window()
    {
        var link = new HtmlParser().ParseDocument(SafeMarkdown.ToHtml("[docs](https://example.org)")).QuerySelector("a")!;

        Assert.Equal("https://example.org", link.GetAttribute("href"));
        Assert.Equal("_blank", link.GetAttribute("target"));
        Assert.Contains("noopener", link.GetAttribute("rel"));
    }

    [Fact]
    public void html_the_user_typed_shows_as_text()
    {
        var html = SafeMarkdown.ToHtml("<b>not bold</b>");
        Assert.DoesNotContain("<b>", html);
        Assert.Contains("&lt;b&gt;not bold&lt;/b&gt;", html);
    }
}
