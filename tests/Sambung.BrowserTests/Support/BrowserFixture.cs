using Microsoft.Playwright;
using Npgsql;
using Sambung.FakeProviders;
using Sambung.OidcServer;

namespace Sambung.BrowserTests.Support;

// One app process, one fake provider and one Chromium for the whole browser collection; each test gets a fresh
// browser context (its own cookies and storage).
public sealed class BrowserFixture : IAsyncLifetime
{
    public FakeLlmServer Llm { get; private set; } = null!;
    public TestOidcServer Sso { get; private set; } = null!;
    public const string SsoName = "Test SSO";
    public const string AdminGroup = "sambung-admins";
    public RunningApp App { get; private set; } = null!;
    private IPlaywright playwright = null!;
    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var server = Environment.GetEnvironmentVariable("SAMBUNG_TEST_PG")
            ?? throw new InvalidOperationException("SAMBUNG_TEST_PG is not set. Run the tests with ./test.sh.");
        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = "sambung_test_browser" }.ConnectionString;
        await RunningApp.ResetDatabaseAsync(connectionString);

        Llm = await FakeLlmServer.StartAsync();
        Sso = await TestOidcServer.StartAsync(new TestOidcOptions { SigningAlgorithm = "ES256" });
        App = await RunningApp.StartAsync(connectionString, new Dictionary<string, string>
        {
            ["OPENAI_BASE_URL"] = Llm.OpenAIBaseUrl,
            ["OPENAI_API_KEY"] = "test-key",
            ["SAMBUNG_DEFAULT_MODEL"] = "fake-gpt",
            ["Sambung__AutoTitle"] = "false", // the scripted provider replies are for the chats
            ["Sambung__RateLimits__SignInsPerMinute"] = "1000", // every test registers its own user from 127.0.0.1
            ["OIDC_AUTHORITY"] = Sso.Authority,
            ["OIDC_CLIENT_ID"] = Sso.ClientId,
            ["OIDC_CLIENT_SECRET"] = Sso.ClientSecret,
            ["OIDC_DISPLAY_NAME"] = SsoName,
            ["OIDC_SCOPES"] = "groups",
            ["OIDC_ADMIN_GROUP"] = AdminGroup,
            ["OIDC_REQUIRE_HTTPS"] = "false",
        });

        // Expect(...) waits 5 s by default, page actions 30 s (below): a reply that streams, renders and loads a
        // highlighter on a busy CI machine can take longer than 5 s. Waits, not speed goals.
        Microsoft.Playwright.Assertions.SetDefaultExpectTimeout(20_000);
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Environment.GetEnvironmentVariable("SAMBUNG_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            // /dev/shm is 64 MB in a container: Chromium's renderers crash there unless it uses /tmp instead.
            Args = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic"],
        });
    }

    public async Task<IPage> NewPageAsync(string? locale = null)
    {
        var context = await Browser.NewContextAsync(new() { BaseURL = App.BaseUrl, Locale = locale ?? "en-US" });
        lock (contexts) contexts.Add(context);
        var page = await context.NewPageAsync();
        // Generous: a cold app on a busy 2-core CI machine is slow; these are waits, not speed goals.
        page.SetDefaultTimeout(30_000);
        page.Context.SetDefaultTimeout(30_000);
        return page;
    }

    // A fresh account for each test: registering signs it in (the first one also becomes the admin).
    public async Task<IPage> SignedInPageAsync(string? locale = null, string password = "correct horse battery")
    {
        var page = await NewPageAsync(locale);
        await page.GotoAsync("/account/register");
        await page.Locator("#DisplayName").FillAsync("Tester");
        await page.Locator("#Email").FillAsync($"user-{Guid.NewGuid():N}@example.test");
        await page.Locator("#Password").FillAsync(password);
        await page.Locator("form.form button[type=submit]").ClickAsync();
        await Microsoft.Playwright.Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("^[^?#]*/$"));
        return page;
    }

    private readonly List<IBrowserContext> contexts = [];

    // Closes the pages of the test that just ended: their streams and SSE connections end with them, so tests
    // don't pile up open pages in one browser (memory, and /dev/shm on a CI machine).
    public async Task CloseContextsAsync()
    {
        IBrowserContext[] open;
        lock (contexts)
        {
            open = [.. contexts];
            contexts.Clear();
        }
        foreach (var context in open)
        {
            try { await context.CloseAsync(); }
            catch (PlaywrightException) { } // already gone with a crashed page: nothing left to close
        }
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        playwright.Dispose();
        await App.DisposeAsync();
        await Llm.DisposeAsync();
        await Sso.DisposeAsync();
    }
}

[CollectionDefinition("browser")]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>;
