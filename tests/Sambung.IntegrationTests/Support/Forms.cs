using System.Net;
using System.Text.RegularExpressions;
using Alba;

namespace Sambung.IntegrationTests.Support;

// A rendered form as a browser would post it: its hidden fields (antiforgery token and ids included) and the
// antiforgery cookie. TestServer has no cookie jar, so the cookie travels by hand.
public sealed partial record PageForm(string Action, Dictionary<string, string> Fields, string Cookie, string? HtmxAction = null)
{
    public static async Task<PageForm> ReadAsync(IAlbaHost host, string url, string formId = "composer")
    {
        var get = await host.Scenario(s => s.Get.Url(url));
        var html = await get.ReadAsTextAsync();
        var form = FormPattern().Matches(html).FirstOrDefault(m => m.Groups["attrs"].Value.Contains($"id=\"{formId}\""))
            ?? throw new InvalidOperationException($"No form #{formId} on {url}");
        var action = WebUtility.HtmlDecode(ActionPattern().Match(form.Groups["attrs"].Value).Groups[1].Value);
        var htmxAction = HtmxActionPattern().Match(form.Groups["attrs"].Value) is { Success: true } hx ? WebUtility.HtmlDecode(hx.Groups[1].Value) : null;
        var fields = InputPattern().Matches(form.Groups["body"].Value)
            .Select(m => m.Value)
            .Where(input => input.Contains("type=\"hidden\""))
            .ToDictionary(input => Attribute(input, "name"), input => WebUtility.HtmlDecode(Attribute(input, "value")));
        var cookie = get.Context.Response.Headers.SetCookie.ToString().Split(';')[0];
        return new(action, fields, cookie, htmxAction);
    }

    public Dictionary<string, string> With(params (string Name, string Value)[] values)
    {
        var all = new Dictionary<string, string>(Fields);
        foreach (var (name, value) in values) all[name] = value;
        return all;
    }

    public Guid Id(string field) => Guid.Parse(Fields[field]);

    // Posts the form (with the given fields) the way a browser would: to its action (with htmx, to its hx-post when it
    // has one), with its cookie.
    public void PostTo(Scenario scenario, Dictionary<string, string>? fields = null, bool htmx = false)
    {
        var parts = (htmx && HtmxAction is { } hxPost ? hxPost : Action).Split('?', 2);
        var send = scenario.Post.FormData(fields ?? Fields).ToUrl(parts[0]);
        if (parts.Length == 2)
            foreach (var pair in parts[1].Split('&'))
            {
                var kv = pair.Split('=', 2);
                send.QueryString(Uri.UnescapeDataString(kv[0]), Uri.UnescapeDataString(kv.ElementAtOrDefault(1) ?? ""));
            }
        scenario.WithRequestHeader("Cookie", Cookie);
        if (htmx) scenario.WithRequestHeader("HX-Request", "true");
    }

    [GeneratedRegex("<form(?<attrs>[^>]*)>(?<body>.*?)</form>", RegexOptions.Singleline)]
    private static partial Regex FormPattern();

    [GeneratedRegex("\\saction=\"([^\"]*)\"")]
    private static partial Regex ActionPattern();

    [GeneratedRegex("\\shx-post=\"([^\"]*)\"")]
    private static partial Regex HtmxActionPattern();

    private static string Attribute(string tag, string name) =>
        Regex.Match(tag, $"\\s{name}=\"([^\"]*)\"").Groups[1].Value;

    [GeneratedRegex("<input\\b[^>]*>")]
    private static partial Regex InputPattern();
}
