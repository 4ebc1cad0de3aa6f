using System.Security.Claims;
using Alba;
using Alba.Security;
using Sambung.Web.Features.Accounts;
using Marten;
using Sambung.FakeProviders;

namespace Sambung.IntegrationTests.Support;

// One real host (the app's own Program) against the real database and a fake OpenAI-compatible provider,
// shared by the tests of the "app" collection; each test starts from empty data.
public sealed class AppFixture : IAsyncLifetime
{
    public IAlbaHost Host { get; private set; } = null!;
    public FakeLlmServer Llm { get; private set; } = null!;
    public string ConnectionString { get; } = TestDatabase.ConnectionString("sambung_test_integration");

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
            b.UseSetting("Sambung:RateLimits:MessagesPerHour", "100000");
            b.UseSetting("Sambung:AutoTitle", "false"); // the scripted provider replies are for the chats
        }, new AuthenticationStub()
            .With(ClaimTypes.NameIdentifier, Conversations.Owner)
            .With(AccountClaims.DisplayName, "Local Tester")
            .WithName("local@example.test"));
    }

    public async Task ResetAsync()
    {
        Llm.Reset();
        await Host.ResetAllDataAsync();
        // Marten leaves plain SQL read models alone, and the app caches conversation states and provider settings
        // in memory.
        await using (var db = Npgsql.NpgsqlDataSource.Create(ConnectionString))
            await db.CreateCommand($"truncate {Sambung.Projections.SambungStore.Schema}.{Sambung.Projections.Search.MessageSearchProjection.TableName}").ExecuteNonQueryAsync();
        Host.Services.GetRequiredService<Sambung.Web.Features.Chats.ConversationCache>().Clear();
        Host.Services.GetRequiredService<Sambung.Web.Features.Providers.ProviderChanges>().ForgetAll();
        Host.Services.GetRequiredService<Sambung.Web.Features.Analytics.Budgets>().Forget(); // prices, budgets and spend
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Llm.DisposeAsync();
    }
}

[CollectionDefinition("app")]
public sealed class AppCollection : ICollectionFixture<AppFixture>;

// Base for scenario tests: resets data before each test and offers the small helpers every scenario needs.
[Collection("app")]
public abstract class AppTest(AppFixture app) : IAsyncLifetime
{
    protected AppFixture App { get; } = app;
    protected IAlbaHost Host => App.Host;
    protected IDocumentStore Store => Host.Services.GetRequiredService<IDocumentStore>();

    public virtual Task InitializeAsync() => App.ResetAsync();

    public virtual Task DisposeAsync() => Task.CompletedTask;
}
