using Ganss.Xss;
using Markdig;

namespace Sambung.Web.Features.Rendering;

// LLM output and user text reach the page only through here: markdown with raw HTML disabled, then an allow-list
// sanitizer (DisableHtml alone still lets [x](javascript:...) through).
public static class SafeMarkdown
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UseAdvancedExtensions()
        .DisableHtml()
        .Build();

    private static readonly HtmlSanitizer Sanitizer = CreateSanitizer();

    public static string ToHtml(string? markdown) =>
        string.IsNullOrEmpty(markdown) ? "" : Sanitizer.Sanitize(Markdown.ToHtml(markdown, Pipeline));

    private static HtmlSanitizer CreateSanitizer()
    {
        var sanitizer = new HtmlSanitizer();
        sanitizer.AllowedSchemes.Clear();
        sanitizer.AllowedSchemes.UnionWith(["https", "http", "mailto"]);
        sanitizer.AllowedAttributes.Add("class"); // code-language classes for highlighting
        sanitizer.AllowedAttributes.Remove("style");
        sanitizer.AllowedCssProperties.Clear();
        // Links from a model open safely in a new tab without handing it window.opener.
        sanitizer.PostProcessNode += (_, e) =>
        {
            if (e.Node is AngleSharp.Dom.IElement { TagName: "A" } a && a.HasAttribute("href"))
            {
                a.SetAttribute("rel", "noopener noreferrer nofollow");
                a.SetAttribute("target", "_blank");
            }
        };
        return sanitizer;
    }
}
