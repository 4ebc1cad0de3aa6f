using System.Globalization;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Sambung.Events.Conversations;
using Sambung.Projections;
using Sambung.Web;
using Sambung.Web.Features.History;

namespace Sambung.UnitTests.Web;

public sealed class HistoryDescriptionTests
{
    private static readonly IStringLocalizer Text = new ResourceManagerStringLocalizerFactory(
        Options.Create(new LocalizationOptions { ResourcesPath = "Resources" }), NullLoggerFactory.Instance).Create(typeof(SharedResource));

    private static readonly DateTimeOffset At = new(2026, 11, 26, 9, 30, 15, TimeSpan.Zero);
    private static readonly ModelRef Gpt = new("openai", "gpt-test");

    // One example of every conversation event, so a new event type without a sentence fails here.
    private static IEnumerable<object> Examples()
    {
        var node = Guid.NewGuid();
        yield return new ConversationStarted(node, "alice", "Title", Gpt, null, At);
        yield return new UserMessagePosted(node, node, "Hello there", "alice", At);
        yield return new UserMessageEdited(node, node, node, "Hello again", "alice", At);
        yield return new ReplyRequested(node, node, Gpt, new(), new(node, 1, null), "alice", At);
        yield return new ReplyCompleted(node, "Hi", "stop", new TokenUsage(1200, 34), null, TimeSpan.FromSeconds(2.5), "gpt-test-1", At, "alice", Gpt);
        yield return new ReplyFailed(node, "rate_limited", "429", "", At, "alice", Gpt);
        yield return new ReplyStopped(node, "", "alice", At);
        yield return new FallbackTaken(node, Gpt, new ModelRef("groq", "llama"), "rate_limited", At);
        yield return new BranchSelected(node, "alice", At);
        yield return new BranchesMerged(node, node, node, [node], MergeStrategy.Verbatim, "x", "alice", At);
        yield return new BranchHidden(node, node, "alice", At);
        yield return new BranchRestored(node, node, "alice", At);
        yield return new BranchLabeled(node, "Beach plan", "alice", At);
        yield return new BranchLabeled(node, "", "alice", At);
        yield return new BranchStarred(node, "alice", At);
        yield return new BranchUnstarred(node, "alice", At);
        yield return new ConversationForked(node, node, "alice", At);
        yield return new ConversationRenamed("New title", false, "alice", At);
        yield return new ConversationPinned("alice", At);
        yield return new ConversationUnpinned("alice", At);
        yield return new ConversationMovedToFolder(node, "alice", At);
        yield return new ConversationTagged("work", "alice", At);
        yield return new ConversationUntagged("work", "alice", At);
        yield return new ModelChanged(Gpt, "alice", At);
        yield return new SystemPromptChanged("Be brief", "alice", At);
        yield return new GenerationParametersChanged(new(), "alice", At);
        yield return new ConversationDeleted("alice", At);
        yield return new ConversationRestored("alice", At);
        yield return new ConversationPurged("alice", "user", [], At);
    }

    private static T InCulture<T>(string culture, Func<T> f)
    {
        var (ui, current) = (CultureInfo.CurrentUICulture, CultureInfo.CurrentCulture);
        CultureInfo.CurrentUICulture = CultureInfo.CurrentCulture = new CultureInfo(culture);
        try { return f(); }
        finally { (CultureInfo.CurrentUICulture, CultureInfo.CurrentCulture) = (ui, current); }
    }

    [Fact]
    public void every_conversation_event_type_has_an_example_here()
    {
        var conversationEvents = SambungStore.EventTypes.Where(t => t.Namespace == typeof(ConversationStarted).Namespace);
        Assert.Equal(conversationEvents.OrderBy(t => t.Name), Examples().Select(e => e.GetType()).Distinct().OrderBy(t => t.Name));
    }

    [Theory]
    [InlineData("en")]
    [InlineData("id")]
    public void every_conversation_event_reads_as_its_own_sentence_in_both_languages(string culture)
    {
        var sentences = InCulture(culture, () => Examples().Select(e => HistoryDescriptions.Describe(e, Text)).ToList());
        var other = InCulture(culture, () => Text["History.Event.Other"].Value);

        Assert.All(sentences, s => Assert.DoesNotContain("History.Event.", s));
        Assert.All(sentences, s => Assert.NotEqual(other, s));
        Assert.All(sentences, s => Assert.DoesNotContain("{", s));
    }

    [Fact]
    public void sentences_carry_the_models_the_text_and_the_numbers_in_the_readers_language()
    {
        var completed = new ReplyCompleted(Guid.NewGuid(), "Hi", "stop", new TokenUsage(1200, 34), null, TimeSpan.FromSeconds(2.5), "gpt-test-1", At, "alice", Gpt);
        Assert.Equal("gpt-test replied (1,234 tokens, 2.5 s).", InCulture("en", () => HistoryDescriptions.Describe(completed, Text)));
        Assert.Equal("gpt-test membalas (1.234 token, 2,5 dtk).", InCulture("id", () => HistoryDescriptions.Describe(completed, Text)));
        Assert.Equal("Asked gpt-test to reply again.", InCulture("en", () => HistoryDescriptions.Describe(
            new ReplyRequested(Guid.NewGuid(), Guid.NewGuid(), Gpt, new(), new(Guid.NewGuid(), 1, null), "alice", At, RegenerationOf: Guid.NewGuid()), Text)));
        var longText = string.Join(' ', Enumerable.Repeat("word", 40));
        var posted = InCulture("en", () => HistoryDescriptions.Describe(new UserMessagePosted(Guid.NewGuid(), Guid.NewGuid(), longText, "alice", At), Text));
        Assert.StartsWith("Wrote: “word word", posted);
        Assert.EndsWith("…”", posted);
        Assert.Equal("Sambung", InCulture("en", () => HistoryDescriptions.Actor(completed, Text)));
        Assert.Equal("Anda", InCulture("id", () => HistoryDescriptions.Actor(new ConversationPinned("alice", At), Text)));
    }

    [Fact]
    public void times_are_shown_in_the_readers_time_zone()
    {
        var jakarta = TimeZoneInfo.FindSystemTimeZoneById("Asia/Jakarta");
        // ICU puts a narrow no-break space before AM/PM.
        Assert.Equal("11/26/2026 4:30:15 PM", InCulture("en-US", () => HistoryDescriptions.When(At, jakarta)).Replace('\u202f', ' '));
        Assert.Equal("26/11/2026 16.30.15", InCulture("id-ID", () => HistoryDescriptions.When(At, jakarta)));
    }
}
