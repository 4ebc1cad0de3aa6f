using Sambung.Events;
using Sambung.Events.Conversations;
using static Sambung.UnitTests.Conversations.ConversationScenario;

namespace Sambung.UnitTests.Conversations;

public sealed class HistoryDecisionTests
{
    private static readonly ModelRef Other = new("anthropic", "claude-test");

    private static List<object> Then(List<object> history, Decision decision)
    {
        Assert.False(decision.IsRefused, decision.Refusal);
        return [.. history, .. decision.Events];
    }

    private static ReplyCompleted Completed(Guid reply, string text = "Answer") =>
        new(reply, text, "stop", new TokenUsage(1, 1), null, TimeSpan.FromSeconds(1), "m", Now);

    private static Conversation At(List<object> history, int version) => Given([.. history.Take(version)]);

    private static Decision Restore(List<object> history, int version) =>
        HistoryDecisions.Decide(new RestoreVersion(Given([.. history]).Id, version, Owner), Given([.. history]),
            version >= 1 && version <= history.Count ? At(history, version) : null, Now);

    [Fact]
    public void restoring_a_past_version_selects_the_leaf_that_was_active_then_and_keeps_what_came_after()
    {
        var (history, state, id, message, reply) = OneExchange(); // versions 1-4
        var (second, secondReply) = (Guid.NewGuid(), Guid.NewGuid());
        history = Then(history, ConversationDecisions.Decide(new PostUserMessage(id, second, null, "Later", secondReply, Owner), state, Now));
        history = [.. history, Completed(secondReply)];

        var decision = Restore(history, 4);

        Assert.Equal(new BranchSelected(reply, Owner, Now), decision.Single<BranchSelected>());
        var after = Given([.. history, .. decision.Events]);
        Assert.Equal(reply, after.ActiveLeafId);
        // Nothing is lost: the later message is still there, under the restored leaf.
        Assert.Equal([second], after.Nodes[reply].Children);
        Assert.Equal("Later", after.Nodes[second].Text);
    }

    [Fact]
    public void restoring_the_current_version_again_changes_nothing()
    {
        var (history, _, _, _, _) = OneExchange();
        Assert.True(Restore(history, history.Count).IsNoChange);

        var first = Restore(history, 1);
        var restored = Then(history, first);
        Assert.True(HistoryDecisions.Decide(new RestoreVersion(restored.Count > 0 ? Given([.. restored]).Id : default, 1, Owner),
            Given([.. restored]), At(restored, 1), Now).IsNoChange);
    }

    [Fact]
    public void restoring_the_first_version_starts_again_from_the_empty_conversation()
    {
        var (history, _, id, _, _) = OneExchange();
        var decision = Restore(history, 1);
        Assert.Equal(id, decision.Single<BranchSelected>().LeafId);
    }

    [Fact]
    public void restoring_a_version_whose_branch_was_hidden_since_shows_it_again_then_selects_it()
    {
        var (history, state, id, message, reply) = OneExchange();
        var (edited, editReply) = (Guid.NewGuid(), Guid.NewGuid());
        history = Then(history, ConversationDecisions.Decide(new EditUserMessage(id, message, edited, "Edited", editReply, Owner), state, Now));
        history = [.. history, Completed(editReply)];
        history = Then(history, ConversationDecisions.Decide(new HideBranch(id, message, Owner), Given([.. history]), Now));
        Assert.True(Given([.. history]).Nodes[message].Hidden);

        var decision = Restore(history, 4);

        Assert.Collection(decision.Events,
            e => Assert.Equal(new BranchRestored(message, id, Owner, Now), e),
            e => Assert.Equal(new BranchSelected(reply, Owner, Now), e));
        var after = Given([.. history, .. decision.Events]);
        Assert.Equal(reply, after.ActiveLeafId);
        Assert.True(after.IsVisible(reply));
        Assert.True(after.Has(edited));
    }

    [Fact]
    public void restoring_brings_back_the_model_system_prompt_and_parameters_of_then_but_not_the_title()
    {
        var (history, state, id, _, _) = OneExchange();
        var parameters = new GenerationParameters(0.2, 100);
        history = Then(history, ConversationDecisions.Decide(new ChangeModel(id, Other, Owner), Given([.. history]), Now));
        history = Then(history, ConversationDecisions.Decide(new ChangeSystemPrompt(id, "Be brief", Owner), Given([.. history]), Now));
        history = Then(history, ConversationDecisions.Decide(new ChangeGenerationParameters(id, parameters, Owner), Given([.. history]), Now));
        history = Then(history, ConversationDecisions.Decide(new RenameConversation(id, "Renamed", Owner), Given([.. history]), Now));

        var decision = Restore(history, 4);

        Assert.Collection(decision.Events,
            e => Assert.Equal(new ModelChanged(Model, Owner, Now), e),
            e => Assert.Equal(new SystemPromptChanged(null, Owner, Now), e),
            e => Assert.Equal(new GenerationParametersChanged(new GenerationParameters(), Owner, Now), e));
        Assert.Equal("Renamed", Given([.. history, .. decision.Events]).Title);
    }

    [Fact]
    public void a_version_outside_the_stream_or_a_closed_conversation_is_refused()
    {
        var (history, state, id, _, _) = OneExchange();
        Restore(history, 0).IsRefused(HistoryRefusals.NotAVersion);
        Restore(history, history.Count + 1).IsRefused(HistoryRefusals.NotAVersion);
        var trashed = Given([.. history, new ConversationDeleted(Owner, Now)]);
        HistoryDecisions.Decide(new RestoreVersion(id, 1, Owner), trashed, At(history, 1), Now).IsRefused(Refusals.InTrash);
        // A past state that is not the version asked for (a caller mistake) is refused, not trusted.
        HistoryDecisions.Decide(new RestoreVersion(id, 2, Owner), state, At(history, 1), Now).IsRefused(HistoryRefusals.NotAVersion);
    }

    private static AskSeveralModels Ask(Guid id, int models, string text = "Which is best?") =>
        new(id, Guid.NewGuid(), null, text,
            [.. Enumerable.Range(0, models).Select(i => new ModelRequest(new ModelRef("openai", $"model-{i}"), Guid.NewGuid()))], Owner);

    [Fact]
    public void asking_several_models_posts_one_message_and_a_sibling_reply_per_model()
    {
        var (history, state, id, message, reply) = OneExchange();
        var ask = Ask(id, 3);

        var decision = HistoryDecisions.Decide(ask, state, Now);

        Assert.Equal(4, decision.Events.Count);
        Assert.Equal(new UserMessagePosted(ask.MessageId, reply, "Which is best?", Owner, Now), decision.Events[0]);
        var requests = decision.Events.Skip(1).Cast<ReplyRequested>().ToList();
        Assert.Equal(ask.Models.Select(m => (m.ReplyId, m.Model)), requests.Select(r => (r.NodeId, r.Model)));
        Assert.All(requests, r =>
        {
            Assert.Equal(ask.MessageId, r.ParentId);
            // The same prompt for each: the path down to the new message (3 nodes: message, reply, new message).
            Assert.Equal(new PromptContext(ask.MessageId, 3, null), r.Context);
        });
        var after = Given([.. history, .. decision.Events]);
        Assert.Equal(ask.Models.Select(m => m.ReplyId), after.Nodes[ask.MessageId].Children);
        Assert.Equal(ask.Models[^1].ReplyId, after.ActiveLeafId);
        // A repeated post (double click) changes nothing.
        Assert.True(HistoryDecisions.Decide(ask, after, Now).IsNoChange);
    }

    [Fact]
    public void asking_no_model_more_than_four_or_one_model_twice_is_refused()
    {
        var (_, state, id, _, _) = OneExchange();
        HistoryDecisions.Decide(Ask(id, 0), state, Now).IsRefused(HistoryRefusals.NoModels);
        HistoryDecisions.Decide(Ask(id, 5), state, Now).IsRefused(HistoryRefusals.TooManyModels);
        Assert.Equal(5, HistoryDecisions.Decide(Ask(id, 4), state, Now).Events.Count);
        var twice = Ask(id, 2);
        twice = twice with { Models = [twice.Models[0], twice.Models[1] with { Model = twice.Models[0].Model }] };
        HistoryDecisions.Decide(twice, state, Now).IsRefused(HistoryRefusals.SameModelTwice);
        HistoryDecisions.Decide(Ask(id, 2, " "), state, Now).IsRefused(Refusals.EmptyMessage);
        var sameIds = Ask(id, 2);
        sameIds = sameIds with { Models = [sameIds.Models[0], sameIds.Models[1] with { ReplyId = sameIds.Models[0].ReplyId }] };
        HistoryDecisions.Decide(sameIds, state, Now).IsRefused(Refusals.IdAlreadyUsed);
    }

    [Fact]
    public void asking_several_models_while_a_reply_is_pending_or_in_trash_is_refused()
    {
        var (id, message, reply) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var pending = Given([.. ConversationDecisions.Decide(new StartConversation(id, Owner, message, "Hi", reply, Model), null, Now).Events]);
        HistoryDecisions.Decide(Ask(id, 2), pending, Now).IsRefused(Refusals.ReplyInProgress);
        var (history, state, id2, _, _) = OneExchange();
        HistoryDecisions.Decide(Ask(id2, 2), state.Apply(new ConversationDeleted(Owner, Now)), Now).IsRefused(Refusals.InTrash);
    }

    private static StartWithSeveralModels StartSeveral(int models, string text = "Which island?") =>
        new(Guid.NewGuid(), Owner, Guid.NewGuid(), text,
            [.. Enumerable.Range(0, models).Select(i => new ModelRequest(new ModelRef("openai", $"model-{i}"), Guid.NewGuid()))], "Be brief.");

    [Fact]
    public void starting_a_chat_with_several_models_starts_it_as_the_new_chat_form_does_and_asks_each_model()
    {
        var start = StartSeveral(3);

        var decision = HistoryDecisions.Decide(start, null, Now);

        // The same first events as the new-chat form's StartConversation with the first model.
        var single = ConversationDecisions.Decide(new StartConversation(start.ConversationId, Owner, start.MessageId, start.Text,
            start.Models[0].ReplyId, start.Models[0].Model, "Be brief."), null, Now);
        Assert.Equal(single.Events, decision.Events.Take(3));
        Assert.Equal(5, decision.Events.Count);
        var requests = decision.Events.OfType<ReplyRequested>().ToList();
        Assert.Equal(start.Models.Select(m => (m.ReplyId, m.Model)), requests.Select(r => (r.NodeId, r.Model)));
        Assert.All(requests, r =>
        {
            Assert.Equal(start.MessageId, r.ParentId);
            Assert.Equal(new PromptContext(start.MessageId, 1, "Be brief."), r.Context);
            Assert.Equal(Owner, r.By);
        });
        var after = Given([.. decision.Events]);
        Assert.Equal(start.Models[0].Model, after.Model);
        Assert.Equal(start.Models.Select(m => m.ReplyId), after.Nodes[start.MessageId].Children);
        Assert.Equal(start.Models[^1].ReplyId, after.ActiveLeafId);
        // The same post again (a double click) changes nothing; the id of someone else's chat is not theirs to use.
        Assert.True(HistoryDecisions.Decide(start, after, Now).IsNoChange);
        HistoryDecisions.Decide(start with { OwnerId = "someone-else" }, after, Now).IsRefused(Refusals.IdAlreadyUsed);
        HistoryDecisions.Decide(start with { MessageId = Guid.NewGuid() }, after, Now).IsRefused(Refusals.IdAlreadyUsed);
    }

    [Fact]
    public void starting_a_chat_with_no_model_more_than_four_the_same_one_twice_or_no_text_is_refused()
    {
        HistoryDecisions.Decide(StartSeveral(0), null, Now).IsRefused(HistoryRefusals.NoModels);
        HistoryDecisions.Decide(StartSeveral(5), null, Now).IsRefused(HistoryRefusals.TooManyModels);
        Assert.Equal(6, HistoryDecisions.Decide(StartSeveral(4), null, Now).Events.Count);
        var twice = StartSeveral(2);
        HistoryDecisions.Decide(twice with { Models = [twice.Models[0], twice.Models[1] with { Model = twice.Models[0].Model }] }, null, Now)
            .IsRefused(HistoryRefusals.SameModelTwice);
        HistoryDecisions.Decide(twice with { Models = [twice.Models[0], twice.Models[1] with { ReplyId = twice.MessageId }] }, null, Now)
            .IsRefused(Refusals.IdAlreadyUsed);
        HistoryDecisions.Decide(twice with { Models = [twice.Models[0], twice.Models[1] with { ReplyId = twice.ConversationId }] }, null, Now)
            .IsRefused(Refusals.IdAlreadyUsed);
        HistoryDecisions.Decide(twice with { Models = [twice.Models[0], twice.Models[1] with { Model = new ModelRef("", "x") }] }, null, Now)
            .IsRefused(Refusals.InvalidModel);
        HistoryDecisions.Decide(StartSeveral(2, "  "), null, Now).IsRefused(Refusals.EmptyMessage);
        HistoryDecisions.Decide(StartSeveral(2, new string('x', ConversationDecisions.MaxMessageLength + 1)), null, Now)
            .IsRefused(Refusals.MessageTooLong);
    }
}
