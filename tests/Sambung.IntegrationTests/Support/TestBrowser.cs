using System.Net;
using System.Text.RegularExpressions;
using Alba;
using Microsoft.AspNetCore.TestHost;

namespace Sambung.IntegrationTests.Support;

// An HttpClient over the in-memory test server that keeps cookies like a browser and fills in antiforgery tokens,
// without following redirects (tests assert where they lead).
public sealed partial class TestBrowser
{
    private static int nextAddress;
    private readonly CookieContainer cookies = new();
    private readonly HttpClient client;
    private static readonly Uri Base = new("http://localhost/");

    public IPAddress Address { get; }

    public TestBrowser(IAlbaHost host)
    {
        var n = Interlocked.Increment(ref nextAddress);
        Address = IPAddress.Parse($"198.51.{n / 250 % 250}.{n % 250 + 1}");
        var server = host.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>() as TestServer
            ?? throw new InvalidOperationException("Not a test server");
        client = new HttpClient(new CookieHandler(cookies, server.CreateHandler(c => c.Connection.RemoteIpAddress = Address))) { BaseAddress = Base };
    }

    public string? LastPage { get; private set; }

    // A cookie as a browser would send it (the value as written, percent-encoded where it has to be).
    public void SetCookie(string name, string value) => cookies.Add(Base, new Cookie(name, value));

    // The value of a cookie this browser holds, or null.
    public string? CookieValue(string name) => cookies.GetCookies(Base)[name]?.Value;

    public async Task<HttpResponseMessage> GetAsync(string url)
    {
        var response = await client.GetAsync(url);
        LastPage = await response.Content.ReadAsStringAsync();
        return response;
    }

    public async Task<string> PageAsync(string url)
    {
        var response = await GetAsync(url);
        Assert.True(response.IsSuccessStatusCode, $"GET {url}: {(int)response.StatusCode}");
        return LastPage!;
    }

    // Posts a form with the antiforgery token of the page it was rendered on.
    public async Task<HttpResponseMessage> PostAsync(string formPageUrl, string action, params (string Name, string Value)[] fields)
    {
        var page = await PageAsync(formPageUrl);
        return await PostWithTokenAsync(action, Token(page), fields);
    }

    public Task<HttpResponseMessage> PostWithTokenAsync(string action, string? token, params (string Name, string Value)[] fields) =>
        PostFormAsync(action, token, htmx: false, fields);

    // The same post as htmx makes it (its HX-Request header).
    public Task<HttpResponseMessage> PostHtmxAsync(string action, string? token, params (string Name, string Value)[] fields) =>
        PostFormAsync(action, token, htmx: true, fields);

    private async Task<HttpResponseMessage> PostFormAsync(string action, string? token, bool htmx, (string Name, string Value)[] fields)
    {
        var values = fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)).ToList();
        if (token is not null) values.Add(new("__RequestVerificationToken", token));
        using var request = new HttpRequestMessage(HttpMethod.Post, action) { Content = new FormUrlEncodedContent(values) };
        if (htmx) request.Headers.Add("HX-Request", "true");
        var response = await client.SendAsync(request);
        LastPage = await response.Content.ReadAsStringAsync();
        return response;
    }

    public async Task<HttpResponseMessage> PostMultipartAsync(string formPageUrl, string action, string fileField, string fileName, byte[] bytes, string contentType)
    {
        var token = Token(await PageAsync(formPageUrl));
        var content = new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
        };
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new(contentType);
        content.Add(file, fileField, fileName);
        var response = await client.PostAsync(action, content);
        LastPage = await response.Content.ReadAsStringAsync();
        return response;
    }

    public async Task<HttpResponseMessage> RegisterAsync(string email, string password = "correct horse battery", string name = "Tester") =>
        await PostAsync("/account/register", "/account/register", ("DisplayName", name), ("Email", email), ("Password", password));

    // Starts a chat through the new-chat form; returns its ids and the user's antiforgery token (tokens belong to the
    // user, not to one form: this one serves every post).
    public async Task<(Guid Chat, Guid Reply, string Token)> StartChatAsync(string text)
    {
        var (chat, reply) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        var token = Token(await PageAsync("/"));
        var started = await PostWithTokenAsync("/?handler=Start", token, ("ConversationId", chat.ToString()), ("MessageId", Guid.CreateVersion7().ToString()),
            ("ReplyId", reply.ToString()), ("Text", text));
        Assert.Equal(HttpStatusCode.Redirect, started.StatusCode);
        return (chat, reply, token);
    }

    public async Task<HttpResponseMessage> SignInAsync(string email, string password = "correct horse battery", string? returnUrl = null) =>
        await PostAsync("/account/signin", "/account/signin" + (returnUrl is null ? "" : "?returnUrl=" + Uri.EscapeDataString(returnUrl)),
            ("Email", email), ("Password", password));

    public static string Token(string page) =>
        WebUtility.HtmlDecode(TokenPattern().Match(page) is { Success: true } m ? m.Groups[1].Value : throw new InvalidOperationException("No antiforgery token on the page"));

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    private sealed class CookieHandler(CookieContainer cookies, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var header = cookies.GetCookieHeader(request.RequestUri!);
            if (header.Length > 0) request.Headers.Add("Cookie", header);
            var response = await base.SendAsync(request, ct);
            if (response.Headers.TryGetValues("Set-Cookie", out var set))
                foreach (var cookie in set) cookies.SetCookies(request.RequestUri!, cookie);
            return response;
        }
    }
}
