namespace Sambung.BrowserTests.Support;

// xUnit builds the test class once per test, so this runs before each one: the shared fake provider starts empty.
// Without it, a test that fails before its scripted replies are used hands them to the next test, and one failure
// turns into a cascade that hides which test broke.
public abstract class BrowserTest
{
    protected BrowserTest(BrowserFixture fixture)
    {
        Fixture = fixture;
        fixture.Llm.Reset();
    }

    protected BrowserFixture Fixture { get; }
}
