using AngleSharp.Dom;
using Ganss.Xss;
using Markdig;

namespace Sambung.Web.Features.Rendering;

// LLM output and user text reach the page only through here: markdown with raw HTML disabled, then an allow-list
// sanitizer (DisableHtml alone still lets [x](javascript:...) through), then a pass that makes what remains polite:
// images from other hosts become links (fetching them would leak the conversation), links open in a new tab
// without window.opener, and code blocks get the labels of the Copy button that wwwroot/js/app.js adds.
public static class SafeMarkdown
{
    // The extensions are listed rather than UseAdvancedExtensions: that also brings generic attributes
    // ({#id .class}) and automatic heading ids, which let a model give its markup the id of a page element
    // (#composer-version, #chat-status) that htmx then swaps into; custom containers (:::name) and media links
    // (iframes) are left out for the same kind of reason.
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UsePipeTables()
        .UseGridTables()
        .UseTaskLists()
        .UseAutoLinks()
        .UseMathematics()
        .UseEmphasisExtras()
        .UseFootnotes()
        .UseDefinitionLists()
        .UseListExtras()
        .DisableHtml()
        .Build();

    private static readonly HtmlSanitizer Sanitizer = new(new HtmlSanitizerOptions
    {
        // What the pipeline above writes, and nothing else.
        AllowedTags = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "a", "blockquote", "br", "code", "col", "colgroup", "dd", "del", "div", "dl", "dt", "em", "h1", "h2", "h3",
            "h4", "h5", "h6", "hr", "img", "input", "ins", "li", "mark", "ol", "p", "pre", "span", "strong", "sub", "sup",
            "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
        },
        AllowedAttributes = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "href", "src", "alt", "title", "class", "start", "type", "checked", "disabled", "colspan", "rowspan",
            "style", // only text-align survives, and Polish turns it into a class (the CSP refuses style attributes)
        },
        AllowedCssProperties = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "text-align" },
        AllowedSchemes = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "https", "http", "mailto" },
        UriAttributes = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "href", "src" },
    });

    public static string ToHtml(string? markdown, RenderLabels? labels = null)
    {
        if (string.IsNullOrEmpty(markdown)) return "";
        labels ??= RenderLabels.Current;
        var document = Sanitizer.SanitizeDom(Markdown.ToHtml(markdown, Pipeline));
        var body = document.Body!;
        foreach (var element in body.QuerySelectorAll("*").ToList()) Polish(element, labels);
        DropLineBreaksBetweenBlocks(body);
        return body.InnerHtml;
    }

    // Markdig puts a line break after every block tag. Between two blocks it shows nothing, yet over SSE each one
    // costs a "data: " line: a table of three rows carries a dozen. Line breaks next to inline content are kept.
    private static void DropLineBreaksBetweenBlocks(IElement root)
    {
        foreach (var element in root.QuerySelectorAll("*").Prepend(root).Where(e => e.Closest("pre") is null).ToList())
            foreach (var text in element.ChildNodes.OfType<IText>().ToList())
                if (text.Data.AsSpan().Trim('\n').IsEmpty && IsBlockOrNone(text.PreviousSibling) && IsBlockOrNone(text.NextSibling))
                    text.Remove();
    }

    private static bool IsBlockOrNone(INode? node) => node switch
    {
        null => true,
        IElement element => element.LocalName is "p" or "div" or "pre" or "ul" or "ol" or "li" or "blockquote" or "hr"
            or "table" or "thead" or "tbody" or "tfoot" or "tr" or "th" or "td" or "colgroup" or "col" or "dl" or "dt" or "dd"
            or "h1" or "h2" or "h3" or "h4" or "h5" or "h6",
        _ => false,
    };

    private static void Polish(IElement element, RenderLabels labels)
    {
        KeepKnownClasses(element);
        var align = element.GetAttribute("style") is { } style ? TextAlign(style) : null;
        element.RemoveAttribute("style");
        switch (element.LocalName)
        {
            case "a" when element.GetAttribute("href") is { } href:
                if (href.StartsWith('#')) break; // a footnote on this page
                element.SetAttribute("rel", "noopener noreferrer nofollow");
                element.SetAttribute("target", "_blank");
                break;
            case "a":
                // The sanitizer took a javascript:/data: address away: what is left is text, not a dead link.
                element.Replace([.. element.ChildNodes]);
                break;
            case "img":
                ReplaceForeignImage(element, labels);
                break;
            case "input":
                // Only the checkbox of a task list item: shown, never used.
                if (element.GetAttribute("type") != "checkbox")
                {
                    element.Remove();
                    break;
                }
                element.SetAttribute("disabled", "");
                element.SetAttribute("aria-label", element.HasAttribute("checked") ? labels.TaskDone : labels.TaskOpen);
                break;
            case "th" or "td" when align is not null:
                element.ClassList.Add($"align-{align}");
                break;
            case "pre":
                var block = element.Owner!.CreateElement("div");
                block.ClassName = "code-block";
                block.SetAttribute("data-copy", labels.CopyCode);
                block.SetAttribute("data-copied", labels.Copied);
                element.Replace(block);
                block.AppendChild(element);
                break;
        }
    }

    // Markdig's own classes (code languages, math, task lists, footnotes); anything else a model manages to write
    // could restyle the page with its own classes.
    private static void KeepKnownClasses(IElement element)
    {
        if (element.ClassList.Length == 0) return;
        foreach (var name in element.ClassList.ToList())
            if (!IsKnownClass(name)) element.ClassList.Remove(name);
        if (element.ClassList.Length == 0) element.RemoveAttribute("class");
    }

    private static bool IsKnownClass(string name) =>
        name is "math" or "contains-task-list" or "task-list-item" or "footnotes" or "footnote-ref" or "footnote-back-ref"
        || (name.StartsWith("language-", StringComparison.Ordinal) && name.Length > 9 && !name.AsSpan(9).ContainsAnyExcept(LanguageChars));

    private static readonly System.Buffers.SearchValues<char> LanguageChars =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+#.-");

    private static string? TextAlign(string style) => style.Replace(" ", "") switch
    {
        var s when s.Contains("text-align:left", StringComparison.OrdinalIgnoreCase) => "left",
        var s when s.Contains("text-align:center", StringComparison.OrdinalIgnoreCase) => "center",
        var s when s.Contains("text-align:right", StringComparison.OrdinalIgnoreCase) => "right",
        _ => null,
    };

    // An image on this site stays an image. Any other becomes a link the reader may follow (or plain text inside a
    // link, or when the sanitizer already took a javascript:/data: address away): nothing is fetched on its own.
    private static void ReplaceForeignImage(IElement image, RenderLabels labels)
    {
        var src = image.GetAttribute("src");
        if (src is not null && IsSameOriginPath(src))
        {
            image.SetAttribute("loading", "lazy");
            return;
        }
        var alt = image.GetAttribute("alt");
        var owner = image.Owner!;
        var insideLink = image.Closest("a") is not null;
        var replacement = owner.CreateElement(src is null || insideLink ? "span" : "a");
        replacement.ClassName = "image-link";
        if (src is not null && !insideLink)
        {
            replacement.SetAttribute("href", src);
            replacement.SetAttribute("rel", "noopener noreferrer nofollow");
            replacement.SetAttribute("target", "_blank");
        }
        replacement.TextContent = $"{labels.Image}: {(string.IsNullOrWhiteSpace(alt) ? src ?? "" : alt)}";
        image.Replace(replacement);
    }

    // A path on this host, whatever the browser makes of it: no scheme (no ':' at all), no "//" or "/\" start (another
    // host), no backslashes, whitespace or control characters (browsers drop or turn them into slashes).
    private static bool IsSameOriginPath(string src) =>
        src.Length > 0 && !src.StartsWith("//", StringComparison.Ordinal) && !src.AsSpan().ContainsAnyExcept(PathChars);

    private static readonly System.Buffers.SearchValues<char> PathChars = System.Buffers.SearchValues.Create(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/?#[]@!$&'()*+,;=%");
}
