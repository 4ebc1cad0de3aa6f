using Alba;
using Marten;
using Sambung.FakeProviders;

namespace Sambung.IntegrationTests.Support;

// The real host with real authentication (cookies, Identity, sessions), on a database of its own so it can run
// beside the "app" collection.
public sealed class AccountsFixture : IAsyncLifetime
{
    public IAlbaHost Host { get; private set; } = null!;
    public FakeLlmServer Llm { get; private set; } = null!;
    public string ConnectionString { get; } = TestDatabase.ConnectionString("sambung_test_accounts");

    public async Task InitializeAsync()
    {
        await TestDatabase.EnsureExistsAsync(ConnectionString);
        Llm = await FakeLlmServer.StartAsync();
        Host = await AlbaHost.For<Program>(b =>
        {
            b.UseSetting("ConnectionStrings:Sambung", ConnectionString);
            b.UseSetting("OPENAI_BASE_URL", Llm.OpenAIBaseUrl);
            b.UseSetting("OPENAI_API_KEY", "test-key");
            b.UseSetting("SAMBUNG_DEFAULT_MODEL", "fake-gpt");
            b.UseSetting("Logging:LogLevel:Default", "Warning");
            b.UseSetting("Logging:LogLevel:Marten", "Error");
            b.UseSetting("Sambung:RateLimits:SignInsPerMinute", "10");
        });
    }

    public async Task ResetAsync()
    {
        Llm.Reset();
        await Host.ResetAllDataAsync();
        Host.Services.GetRequiredService<Sambung.Web.Features.Providers.ProviderChanges>().ForgetAll(); // read before the reset
        Host.Services.GetRequiredService<Sambung.Web.Features.Analytics.Budgets>().Forget(); // prices, budgets and spend
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Llm.DisposeAsync();
    }
}

[CollectionDefinition("accounts")]
public sealed class AccountsCollection : ICollectionFixture<AccountsFixture>;

[Collection("accounts")]
public abstract class AccountsTest(AccountsFixture fixture) : IAsyncLifetime
{
    protected AccountsFixture Fixture { get; } = fixture;
    protected IAlbaHost Host => Fixture.Host;
    protected IDocumentStore Store => Host.Services.GetRequiredService<IDocumentStore>();

    // A browser of its own: its own cookies and, so rate limits are per test, its own address.
    protected TestBrowser NewBrowser() => new(Host);

    // A new browser that has just registered a new account (the first of a test is its instance's admin).
    protected async Task<TestBrowser> SignedInAsync()
    {
        var browser = NewBrowser();
        Assert.Equal(System.Net.HttpStatusCode.Redirect, (await browser.RegisterAsync($"u{Guid.NewGuid():N}@example.test")).StatusCode);
        return browser;
    }

    public virtual Task InitializeAsync() => Fixture.ResetAsync();

    public virtual Task DisposeAsync() => Task.CompletedTask;
}
