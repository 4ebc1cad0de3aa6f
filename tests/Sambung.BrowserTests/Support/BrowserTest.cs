namespace Sambung.BrowserTests.Support;

// xUnit builds the test class once per test, so each test starts with an empty fake provider (a test that fails
// before its scripted replies are used would otherwise hand them to the next, and one failure would cascade and
// hide which test broke) and ends by closing the browser contexts it opened.
public abstract class BrowserTest : IAsyncLifetime
{
    protected BrowserTest(BrowserFixture fixture) => Fixture = fixture;

    protected BrowserFixture Fixture { get; }

    public Task InitializeAsync()
    {
        Fixture.Llm.Reset();
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => Fixture.CloseContextsAsync();
}
