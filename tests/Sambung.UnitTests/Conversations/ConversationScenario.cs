using Sambung.Events;
using Sambung.Events.Conversations;

namespace Sambung.UnitTests.Conversations;

// Given events / when a decision / then events or a refusal, with no database.
public static class ConversationScenario
{
    public static readonly DateTimeOffset Now = new(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);
    public static readonly ModelRef Model = new("openai", "gpt-test");
    public const string Owner = "alice";

    public static Conversation Given(params object[] events) =>
        Conversation.Fold(events) ?? throw new InvalidOperationException("The history must start with ConversationStarted.");

    // A conversation with one finished exchange: root -> message -> reply.
    public static (List<object> History, Conversation State, Guid ConversationId, Guid MessageId, Guid ReplyId) OneExchange()
    {
        var (id, message, reply) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var started = ConversationDecisions.Decide(new StartConversation(id, Owner, message, "Hello", reply, Model), null, Now);
        var completed = new ReplyCompleted(reply, "Hi!", "stop", new TokenUsage(3, 2), TimeSpan.FromMilliseconds(120), TimeSpan.FromSeconds(1), "gpt-test-0613", Now);
        List<object> history = [.. started.Events, completed];
        return (history, Given([.. history]), id, message, reply);
    }

    public static T Single<T>(this Decision decision)
    {
        Assert.False(decision.IsRefused, $"Refused: {decision.Refusal}");
        return Assert.IsType<T>(Assert.Single(decision.Events));
    }

    public static void IsRefused(this Decision decision, string refusal)
    {
        Assert.Equal(refusal, decision.Refusal);
        Assert.Empty(decision.Events);
    }
}
