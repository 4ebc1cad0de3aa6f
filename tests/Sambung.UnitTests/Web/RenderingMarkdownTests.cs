using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Sambung.Web.Features.Rendering;

namespace Sambung.UnitTests.Web;

public sealed class RenderingMarkdownTests
{
    public static readonly RenderLabels Labels = new("Image", "Copy code", "Copied", "Done", "Not done");

    private static IElement Render(string markdown) =>
        new HtmlParser().ParseDocument($"<body>{SafeMarkdown.ToHtml(markdown, Labels)}</body>").Body!;

    [Fact]
    public void tables_task_lists_fenced_code_autolinks_and_emphasis_are_formatted()
    {
        var body = Render("""
            | left | right |
            |:-----|------:|
            | 1    | 2     |

            - [x] done
            - [ ] to do

            ```csharp
            var x = 1;
            ```

            See https://example.org and ~~old~~ text.
            """);

        Assert.Equal(["align-left", "align-right"], body.QuerySelectorAll("th").Select(th => th.ClassName));
        var boxes = body.QuerySelectorAll("li.task-list-item input[type=checkbox][disabled]");
        Assert.Equal(["Done", "Not done"], boxes.Select(b => b.GetAttribute("aria-label")));
        Assert.Equal("var x = 1;\n", body.QuerySelector("div.code-block > pre > code.language-csharp")!.TextContent);
        Assert.Equal("https://example.org", body.QuerySelector("a")!.GetAttribute("href"));
        Assert.Equal("old", body.QuerySelector("del")!.TextContent);
    }

    [Fact]
    public void a_code_block_carries_the_labels_of_its_copy_button_but_no_button()
    {
        var block = Render("```\nplain\n```").QuerySelector("div.code-block")!;

        Assert.Equal(("Copy code", "Copied"), (block.GetAttribute("data-copy"), block.GetAttribute("data-copied")));
        Assert.Empty(block.QuerySelectorAll("button")); // added by the page's script: without it the HTML still reads well
    }

    [Fact]
    public void line_breaks_between_blocks_go_but_those_in_code_and_text_stay()
    {
        var html = SafeMarkdown.ToHtml("- *a*\n  *b*\n\n```\n\n```\n\n| x |\n|---|\n| 1 |", Labels);

        Assert.Equal(
            "<ul><li><em>a</em>\n<em>b</em></li></ul>" +
            "<div class=\"code-block\" data-copy=\"Copy code\" data-copied=\"Copied\"><pre><code>\n</code></pre></div>" +
            "<table><thead><tr><th>x</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table>", html);
    }

    [Fact]
    public void math_keeps_the_markers_the_page_script_looks_for()
    {
        var body = Render("Inline $e^{i\\pi}$ here.\n\n$$\n\\frac{a}{b}\n$$");

        Assert.Equal("\\(e^{i\\pi}\\)", body.QuerySelector("span.math")!.TextContent);
        Assert.Contains("\\frac{a}{b}", body.QuerySelector("div.math")!.TextContent);
    }

    [Fact]
    public void a_mermaid_diagram_is_a_code_block_the_page_script_draws()
    {
        var code = Render("```mermaid\ngraph TD; A-->B\n```").QuerySelector("div.code-block code.language-mermaid")!;

        Assert.Equal("graph TD; A-->B\n", code.TextContent);
    }

    [Theory]
    [InlineData("![a chart](https://other.example/chart.png)", "https://other.example/chart.png", "Image: a chart")]
    [InlineData("![](http://other.example/pixel.gif?who=me)", "http://other.example/pixel.gif?who=me", "Image: http://other.example/pixel.gif?who=me")]
    [InlineData("![x](//other.example/x.png)", "//other.example/x.png", "Image: x")]
    public void an_image_from_another_host_becomes_a_link_that_is_never_fetched(string markdown, string href, string text)
    {
        var body = Render(markdown);

        Assert.Empty(body.QuerySelectorAll("img"));
        var link = body.QuerySelector("a.image-link")!;
        Assert.Equal((href, text), (link.GetAttribute("href"), link.TextContent));
        Assert.Equal(("_blank", "noopener noreferrer nofollow"), (link.GetAttribute("target"), link.GetAttribute("rel")));
    }

    [Theory]
    [InlineData("![x](javascript:alert(1))")]
    [InlineData("![x](data:image/png;base64,iVBORw0KGgo=)")]
    [InlineData("[![x](https://other.example/x.png)](https://example.org)")]
    public void an_image_that_cannot_be_a_link_is_only_its_description(string markdown)
    {
        var body = Render(markdown);

        Assert.Empty(body.QuerySelectorAll("img"));
        Assert.Equal("Image: x", body.QuerySelector(".image-link")!.TextContent);
        Assert.Empty(body.QuerySelectorAll("a a, a[href^='javascript'], [href^='data'], a[href*='other.example/x.png']"));
    }

    [Theory]
    [InlineData("![logo](/images/logo.png)", "/images/logo.png")]
    [InlineData("![logo](logo.png)", "logo.png")]
    [InlineData("![logo](/\\other.example/x.png)", "/%5Cother.example/x.png")] // a path on this host, whatever it looks like
    public void an_image_on_this_site_stays_an_image(string markdown, string src)
    {
        var image = Render(markdown).QuerySelector("img")!;

        Assert.Equal((src, "logo", "lazy"), (image.GetAttribute("src"), image.GetAttribute("alt"), image.GetAttribute("loading")));
    }

    [Fact]
    public void markup_gets_no_ids_and_only_the_renderers_own_classes()
    {
        var body = Render("# Composer version\n\nText {#chat-status .skip-link}\n\n:::visually-hidden\nx\n:::\n\nNote[^1]\n\n[^1]: A note.");

        Assert.Empty(body.QuerySelectorAll("[id]"));
        var classes = body.QuerySelectorAll("[class]").SelectMany(e => e.ClassList).Distinct().Order();
        Assert.Equal(["footnote-back-ref", "footnote-ref", "footnotes"], classes);
    }

    [Fact]
    public void in_page_links_do_not_open_a_new_tab()
    {
        var link = Render("[top](#start)").QuerySelector("a")!;

        Assert.Null(link.GetAttribute("target"));
    }

    [Fact]
    public void without_labels_the_current_language_is_used()
    {
        var previous = System.Globalization.CultureInfo.CurrentUICulture;
        try
        {
            System.Globalization.CultureInfo.CurrentUICulture = new("id");
            Assert.Contains("data-copy=\"Salin kode\"", SafeMarkdown.ToHtml("```\nx\n```"));
            System.Globalization.CultureInfo.CurrentUICulture = new("en");
            Assert.Contains("data-copy=\"Copy code\"", SafeMarkdown.ToHtml("```\nx\n```"));
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentUICulture = previous;
        }
    }
}
