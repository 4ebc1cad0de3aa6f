using Sambung.Events;
using Sambung.Events.Conversations;
using static Sambung.UnitTests.Conversations.ConversationScenario;

namespace Sambung.UnitTests.Conversations;

public sealed class ConversationDecisionTests
{
    [Fact]
    public void starting_a_conversation_posts_the_first_message_and_requests_its_reply()
    {
        var (id, message, reply) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());

        var decision = ConversationDecisions.Decide(new StartConversation(id, Owner, message, "  What is htmx?\nMore.  ", reply, Model, "Be brief."), null, Now);

        Assert.Collection(decision.Events,
            e => Assert.Equal(new ConversationStarted(id, Owner, "What is htmx?", Model, "Be brief.", Now), e),
            e => Assert.Equal(new UserMessagePosted(message, id, "What is htmx?\nMore.", Owner, Now), e),
            e =>
            {
                var requested = Assert.IsType<ReplyRequested>(e);
                Assert.Equal((reply, message, Model), (requested.NodeId, requested.ParentId, requested.Model));
                Assert.Equal((message, 1), (requested.Context.PathEnd, requested.Context.PathLength));
                Assert.Equal("Be brief.", requested.Context.SystemPrompt);
            });
    }

    [Fact]
    public void starting_the_same_conversation_twice_changes_nothing()
    {
        var (_, state, id, message, _) = OneExchange();

        var decision = ConversationDecisions.Decide(new StartConversation(id, Owner, message, "Hello", Guid.NewGuid(), Model), state, Now);

        Assert.True(decision.IsNoChange);
    }

    [Fact]
    public void starting_a_conversation_with_an_id_someone_else_used_is_refused()
    {
        var (_, state, id, message, _) = OneExchange();

        ConversationDecisions.Decide(new StartConversation(id, "mallory", message, "Hello", Guid.NewGuid(), Model), state, Now)
            .IsRefused(Refusals.IdAlreadyUsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n\t ")]
    public void an_empty_first_message_is_refused(string text) =>
        ConversationDecisions.Decide(new StartConversation(Guid.NewGuid(), Owner, Guid.NewGuid(), text, Guid.NewGuid(), Model), null, Now)
            .IsRefused(Refusals.EmptyMessage);

    [Fact]
    public void a_message_over_the_limit_is_refused()
    {
        var (history, state, id, _, _) = OneExchange();
        var text = new string('a', ConversationDecisions.MaxMessageLength + 1);

        ConversationDecisions.Decide(new PostUserMessage(id, Guid.NewGuid(), null, text, Guid.NewGuid(), Owner), state, Now)
            .IsRefused(Refusals.MessageTooLong);
    }

    [Fact]
    public void a_message_goes_under_the_active_leaf_by_default_and_the_model_sees_the_whole_path()
    {
        var (_, state, id, message, reply) = OneExchange();
        var (next, nextReply) = (Guid.NewGuid(), Guid.NewGuid());

        var decision = ConversationDecisions.Decide(new PostUserMessage(id, next, null, "And then?", nextReply, Owner), state, Now);

        Assert.Collection(decision.Events,
            e => Assert.Equal(new UserMessagePosted(next, reply, "And then?", Owner, Now), e),
            e => Assert.Equal((next, 3), (Assert.IsType<ReplyRequested>(e).Context.PathEnd, Assert.IsType<ReplyRequested>(e).Context.PathLength)));
    }

    [Fact]
    public void a_message_can_branch_from_an_earlier_reply()
    {
        var (history, state, id, _, reply) = OneExchange();
        var second = Given([.. history, .. ConversationDecisions.Decide(new PostUserMessage(id, Guid.NewGuid(), null, "Two", Guid.NewGuid(), Owner), state, Now).Events]);

        var decision = ConversationDecisions.Decide(new PostUserMessage(id, Guid.NewGuid(), reply, "Two, differently", Guid.NewGuid(), Owner), second, Now);

        Assert.Equal(reply, Assert.IsType<UserMessagePosted>(decision.Events[0]).ParentId);
    }

    [Fact]
    public void repeating_a_posted_message_changes_nothing()
    {
        var (history, state, id, _, _) = OneExchange();
        var cmd = new PostUserMessage(id, Guid.NewGuid(), null, "Once", Guid.NewGuid(), Owner);
        var after = Given([.. history, .. ConversationDecisions.Decide(cmd, state, Now).Events]);

        Assert.True(ConversationDecisions.Decide(cmd, after, Now).IsNoChange);
    }

    [Fact]
    public void reusing_a_message_id_for_different_text_is_refused()
    {
        var (_, state, id, message, _) = OneExchange();

        ConversationDecisions.Decide(new PostUserMessage(id, message, null, "Other text", Guid.NewGuid(), Owner), state, Now)
            .IsRefused(Refusals.IdAlreadyUsed);
    }

    [Fact]
    public void a_message_cannot_answer_a_user_message_or_a_missing_node()
    {
        var (_, state, id, message, _) = OneExchange();

        ConversationDecisions.Decide(new PostUserMessage(id, Guid.NewGuid(), message, "Hi", Guid.NewGuid(), Owner), state, Now)
            .IsRefused(Refusals.UnknownParent);
        ConversationDecisions.Decide(new PostUserMessage(id, Guid.NewGuid(), Guid.NewGuid(), "Hi", Guid.NewGuid(), Owner), state, Now)
            .IsRefused(Refusals.UnknownParent);
    }

    [Fact]
    public void a_message_waits_for_the_reply_in_progress()
    {
        var (id, message, reply) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var state = Given([.. ConversationDecisions.Decide(new StartConversation(id, Owner, message, "Hello", reply, Model), null, Now).Events]);

        ConversationDecisions.Decide(new PostUserMessage(id, Guid.NewGuid(), null, "Hurry", Guid.NewGuid(), Owner), state, Now)
            .IsRefused(Refusals.ReplyInProgress);
    }

    [Fact]
    public void a_reply_ends_once_and_later_endings_change_nothing()
    {
        var (id, message, reply) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var state = Given([.. ConversationDecisions.Decide(new StartConversation(id, Owner, message, "Hello", reply, Model), null, Now).Events]);

        var stopped = ConversationDecisions.Decide(new StopReply(id, reply, "Partial", Owner), state, Now).Single<ReplyStopped>();
        var after = state.Apply(stopped);

        Assert.Equal(new ReplyStopped(reply, "Partial", Owner, Now, Model), stopped);
        Assert.True(ConversationDecisions.Decide(new CompleteReply(id, reply, "Full", "stop", new(1, 1), null, TimeSpan.Zero, "m"), after, Now).IsNoChange);
        Assert.True(ConversationDecisions.Decide(new FailReply(id, reply, "network", "x", ""), after, Now).IsNoChange);
    }

    [Fact]
    public void completing_a_reply_records_text_usage_and_timings()
    {
        var (id, message, reply) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var state = Given([.. ConversationDecisions.Decide(new StartConversation(id, Owner, message, "Hello", reply, Model), null, Now).Events]);

        var completed = ConversationDecisions.Decide(
            new CompleteReply(id, reply, "Hi!", "stop", new TokenUsage(5, 2), TimeSpan.FromMilliseconds(80), TimeSpan.FromSeconds(2), "gpt-test-0613"), state, Now)
            .Single<ReplyCompleted>();

        Assert.Equal(new ReplyCompleted(reply, "Hi!", "stop", new TokenUsage(5, 2), TimeSpan.FromMilliseconds(80), TimeSpan.FromSeconds(2), "gpt-test-0613", Now, Owner, Model), completed);
    }

    [Fact]
    public void only_replies_can_end()
    {
        var (_, state, id, message, _) = OneExchange();

        ConversationDecisions.Decide(new FailReply(id, message, "x", "y", ""), state, Now).IsRefused(Refusals.NotAReply);
        ConversationDecisions.Decide(new FailReply(id, Guid.NewGuid(), "x", "y", ""), state, Now).IsRefused(Refusals.NotFound);
    }

    [Theory]
    [InlineData("Short", "Short")]
    [InlineData("  First line\nsecond line", "First line")]
    public void the_title_is_the_first_line(string text, string title) => Assert.Equal(title, ConversationDecisions.TitleFrom(text));

    [Theory]
    [InlineData("Plan a quiet week on Bali for two people who like walking, food and old temples", "Plan a quiet week on Bali for two people who like…")]
    [InlineData("Exactly fifty characters long, which is just right", "Exactly fifty characters long, which is just right")]
    [InlineData("What does this do, tell me: supercalifragilisticexpialidocious", "What does this do, tell me…")]
    public void a_long_first_line_is_cut_after_the_last_whole_word_within_fifty_characters(string text, string title)
    {
        Assert.Equal(title, ConversationDecisions.TitleFrom(text));
        Assert.True(title.Length <= ConversationDecisions.FirstWordsLength);
    }

    [Fact]
    public void a_single_long_word_is_cut_with_an_ellipsis()
    {
        var title = ConversationDecisions.TitleFrom(new string('x', 200));
        Assert.Equal(ConversationDecisions.FirstWordsLength, title.Length);
        Assert.EndsWith("…", title);
    }
}
