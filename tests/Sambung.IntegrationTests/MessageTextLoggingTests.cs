using System.Collections.Concurrent;
using System.Net;
using System.Security.Claims;
using Alba;
using Alba.Security;
using Marten;
using Sambung.FakeProviders;
using Sambung.IntegrationTests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Sambung.Web.Features.Accounts;

namespace Sambung.IntegrationTests;

// Everything the app logs, at every level, in memory: the formatted message, its values and the exception.
public sealed class CapturedLogs : ILoggerProvider
{
    public ConcurrentQueue<(string Category, LogLevel Level, string Text)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    private sealed class Logger(CapturedLogs logs, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            logs.Entries.Enqueue((category, logLevel, $"{formatter(state, exception)} {values} {exception}"));
        }
    }
}

// A host of its own that logs everything (Trace, every category) into CapturedLogs.
public sealed class LoggingFixture : IAsyncLifetime
{
    public IAlbaHost Host { get; private set; } = null!;
    public FakeLlmServer Llm { get; private set; } = null!;
    public CapturedLogs Logs { get; } = new();

    public async Task InitializeAsync()
    {
        var connectionString = TestDatabase.ConnectionString("sambung_test_logging");
        await TestDatabase.EnsureExistsAsync(connectionString);
        Llm = await FakeLlmServer.StartAsync();
        Host = await AlbaHost.For<Program>(b =>
        {
            b.UseSetting("ConnectionStrings:Sambung", connectionString);
            b.UseSetting("OPENAI_BASE_URL", Llm.OpenAIBaseUrl);
            b.UseSetting("OPENAI_API_KEY", "test-key");
            b.UseSetting("SAMBUNG_DEFAULT_MODEL", "fake-gpt");
            b.UseSetting("Logging:LogLevel:Default", "Trace");
            b.UseSetting("Logging:LogLevel:Microsoft", "Trace");
            b.UseSetting("Logging:LogLevel:Microsoft.AspNetCore", "Trace");
            b.UseSetting("Logging:LogLevel:Marten", "Trace");
            b.UseSetting("Sambung:RateLimits:MessagesPerHour", "100000");
            b.ConfigureLogging(logging =>
            {
                logging.ClearProviders();
                logging.SetMinimumLevel(LogLevel.Trace);
                logging.AddProvider(Logs);
            });
        }, new AuthenticationStub()
            .With(ClaimTypes.NameIdentifier, "logger")
            .With(AccountClaims.DisplayName, "Log Tester")
            .WithName("logs@example.test"));
        await Host.ResetAllDataAsync();
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Llm.DisposeAsync();
    }
}

public sealed class MessageTextLoggingTests(LoggingFixture fixture) : IClassFixture<LoggingFixture>
{
    [Fact]
    public async Task no_message_text_or_reply_text_reaches_the_logs_even_at_trace_level_and_when_things_fail()
    {
        const string question = "Zanzibar-question-7f3a about my private medical history";
        const string answer = "Quokka-answer-91bd with the private details";
        const string failing = "Marmalade-prompt-22c4 that the provider quotes back";
        const string title = "Pelican-title-5e0f";
        var (host, llm, store) = (fixture.Host, fixture.Llm, fixture.Host.Services.GetRequiredService<IDocumentStore>());
        llm.Enqueue(FakeReply.Of(answer), FakeReply.Of(title),
            new FakeReply { ErrorStatus = 400, ErrorMessage = $"Your message '{failing}' breaks the rules." });

        // A chat started from the page, streamed to the end (and titled by the provider).
        var form = await PageForm.ReadAsync(host, "/");
        await host.Scenario(s => { form.PostTo(s, form.With(("Text", question))); s.StatusCodeShouldBe(HttpStatusCode.Redirect); });
        var id = form.Id("ConversationId");
        await store.ForReplyToEndAsync(form.Id("ReplyId"));
        await host.Scenario(s => s.Get.Url($"/chats/{id}/replies/{form.Id("ReplyId")}/events"));
        await Waiting.UntilAsync(async () => (await host.GetAsText($"/c/{id}")).Contains(title), "the automatic title");

        // A second message the provider refuses, quoting it in its error.
        var next = await PageForm.ReadAsync(host, $"/c/{id}");
        await host.Scenario(s => next.PostTo(s, next.With(("Text", failing)), htmx: true));
        var failed = await store.ForReplyToEndAsync(next.Id("ReplyId"));
        Assert.Equal(Sambung.Events.Conversations.ReplyStatus.Failed, failed.Status);

        // The same form again (its version is now stale): a refused, conflicting write.
        await host.Scenario(s =>
        {
            next.PostTo(s, next.With(("Text", failing + " again"), ("MessageId", Guid.CreateVersion7().ToString()), ("ReplyId", Guid.CreateVersion7().ToString())), htmx: true);
            s.IgnoreStatusCode();
        });

        var page = await host.GetAsText($"/c/{id}");
        Assert.Contains(answer, page);
        var entries = fixture.Logs.Entries.ToList();
        Assert.Contains(entries, e => e.Category.StartsWith("Marten") && e.Level == LogLevel.Debug); // SQL is logged, so the check means something
        Assert.Contains(entries, e => e.Text.Contains("failed before the first token"));              // so is the provider's refusal
        foreach (var secret in new[] { "Zanzibar-question-7f3a", "Quokka-answer-91bd", "Marmalade-prompt-22c4", "Pelican-title-5e0f" })
        {
            var leaks = entries.Where(e => e.Text.Contains(secret, StringComparison.OrdinalIgnoreCase)).Select(e => $"{e.Category} {e.Level}: {e.Text[..Math.Min(e.Text.Length, 400)]}");
            Assert.True(!leaks.Any(), $"{secret} was logged:\n{string.Join("\n", leaks)}");
        }
    }
}
