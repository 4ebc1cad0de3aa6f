using Sambung.Events;
using Sambung.Events.Conversations;
using static Sambung.UnitTests.Conversations.ConversationScenario;

namespace Sambung.UnitTests.Conversations;

public sealed class TreeDecisionTests
{
    [Fact]
    public void labelling_a_branch_trims_the_label_is_idempotent_and_an_empty_label_removes_it()
    {
        var (_, state, id, message, reply) = OneExchange();

        var labeled = ConversationDecisions.Decide(new LabelBranch(id, reply, "  Short   answer ", Owner), state, Now).Single<BranchLabeled>();

        Assert.Equal(new BranchLabeled(reply, "Short answer", Owner, Now), labeled);
        state = state.Apply(labeled);
        Assert.Equal("Short answer", state.Nodes[reply].Label);
        Assert.True(ConversationDecisions.Decide(new LabelBranch(id, reply, "Short answer", Owner), state, Now).IsNoChange);
        var cleared = ConversationDecisions.Decide(new LabelBranch(id, reply, " ", Owner), state, Now).Single<BranchLabeled>();
        Assert.Equal("", cleared.Label);
        Assert.Null(state.Apply(cleared).Nodes[reply].Label);
        Assert.True(ConversationDecisions.Decide(new LabelBranch(id, message, "", Owner), state, Now).IsNoChange);
    }

    [Fact]
    public void a_label_must_be_short_plain_text_on_a_node_of_the_tree()
    {
        var (_, state, id, _, reply) = OneExchange();

        ConversationDecisions.Decide(new LabelBranch(id, reply, new string('x', ConversationDecisions.MaxLabelLength + 1), Owner), state, Now)
            .IsRefused(Refusals.InvalidLabel);
        ConversationDecisions.Decide(new LabelBranch(id, reply, "bell\u0007", Owner), state, Now).IsRefused(Refusals.InvalidLabel);
        ConversationDecisions.Decide(new LabelBranch(id, Guid.NewGuid(), "x", Owner), state, Now).IsRefused(Refusals.NotFound);
        ConversationDecisions.Decide(new LabelBranch(id, id, "x", Owner), state, Now).IsRefused(Refusals.NotFound);
        var trashed = state.Apply(new ConversationDeleted(Owner, Now));
        ConversationDecisions.Decide(new LabelBranch(id, reply, "x", Owner), trashed, Now).IsRefused(Refusals.InTrash);
    }

    [Fact]
    public void starring_and_unstarring_are_events_and_repeating_either_changes_nothing()
    {
        var (_, state, id, _, reply) = OneExchange();

        var starred = ConversationDecisions.Decide(new StarBranch(id, reply, true, Owner), state, Now).Single<BranchStarred>();
        state = state.Apply(starred);

        Assert.True(state.Nodes[reply].Starred);
        Assert.True(ConversationDecisions.Decide(new StarBranch(id, reply, true, Owner), state, Now).IsNoChange);
        var unstarred = ConversationDecisions.Decide(new StarBranch(id, reply, false, Owner), state, Now).Single<BranchUnstarred>();
        Assert.Equal(new BranchUnstarred(reply, Owner, Now), unstarred);
        Assert.False(state.Apply(unstarred).Nodes[reply].Starred);
        ConversationDecisions.Decide(new StarBranch(id, Guid.NewGuid(), true, Owner), state, Now).IsRefused(Refusals.NotFound);
    }

    [Fact]
    public void forking_copies_the_path_to_the_node_into_a_new_conversation_that_names_its_source()
    {
        var (history, source, id, message, reply) = OneExchange();
        var (second, secondReply) = (Guid.NewGuid(), Guid.NewGuid());
        source = Given([.. history, .. ConversationDecisions.Decide(new PostUserMessage(id, second, null, "And then?", secondReply, Owner), source, Now).Events,
            new ReplyCompleted(secondReply, "Then this.", "stop", new TokenUsage(9, 9), null, TimeSpan.FromSeconds(1), "m", Now)]);
        source = source.Apply(new BranchLabeled(reply, "Greeting", Owner, Now));
        var fork = Guid.NewGuid();

        var decision = ConversationDecisions.Decide(new ForkConversation(fork, id, reply, Owner), null, source, Now);

        Assert.False(decision.IsRefused, decision.Refusal);
        var copy = Given([.. decision.Events]);
        Assert.Equal((fork, Owner, source.Title, source.Model), (copy.Id, copy.OwnerId, copy.Title, copy.Model));
        Assert.Equal((id, reply), copy.ForkedFrom);
        Assert.Equal(["Hello", "Hi!"], copy.ActivePath.Select(n => n.Text));
        Assert.Equal([NodeKind.User, NodeKind.Assistant], copy.ActivePath.Select(n => n.Kind));
        Assert.Equal(ReplyStatus.Completed, copy.ActivePath[1].Status);
        Assert.Equal("Greeting", copy.ActivePath[1].Label);
        Assert.Equal([ConversationDecisions.ForkedNodeId(fork, message), ConversationDecisions.ForkedNodeId(fork, reply)], copy.ActivePath.Select(n => n.Id));
        Assert.DoesNotContain(copy.Nodes.Keys, source.Has);
        // The tokens were spent once, in the source: the copy carries none.
        Assert.All(decision.Events.OfType<ReplyCompleted>(), c => Assert.Equal(new TokenUsage(0, 0), c.Usage));
        Assert.Equal(ConversationDecisions.ForkedNodeId(fork, reply), ConversationDecisions.ForkedNodeId(fork, reply));
        Assert.NotEqual(ConversationDecisions.ForkedNodeId(fork, reply), ConversationDecisions.ForkedNodeId(Guid.NewGuid(), reply));
        // Repeating the command finds the fork made.
        Assert.True(ConversationDecisions.Decide(new ForkConversation(fork, id, reply, Owner), copy, source, Now).IsNoChange);
        ConversationDecisions.Decide(new ForkConversation(fork, id, message, Owner), copy, source, Now).IsRefused(Refusals.IdAlreadyUsed);
    }

    [Fact]
    public void a_fork_needs_a_finished_path_of_the_owners_own_conversation()
    {
        var (history, source, id, message, reply) = OneExchange();

        ConversationDecisions.Decide(new ForkConversation(Guid.NewGuid(), id, reply, "mallory"), null, source, Now).IsRefused(Refusals.NotFound);
        ConversationDecisions.Decide(new ForkConversation(Guid.NewGuid(), id, id, Owner), null, source, Now).IsRefused(Refusals.NotFound);
        ConversationDecisions.Decide(new ForkConversation(Guid.NewGuid(), id, Guid.NewGuid(), Owner), null, source, Now).IsRefused(Refusals.NotFound);
        var regenerating = Given([.. history, .. ConversationDecisions.Decide(new RegenerateReply(id, reply, Guid.NewGuid(), Owner), source, Now).Events]);
        ConversationDecisions.Decide(new ForkConversation(Guid.NewGuid(), id, regenerating.ActiveLeafId, Owner), null, regenerating, Now)
            .IsRefused(Refusals.ReplyInProgress);
        // A path up to the user message alone is fine: the fork ends where it was asked to.
        var upToMessage = Given([.. ConversationDecisions.Decide(new ForkConversation(Guid.NewGuid(), id, message, Owner), null, source, Now).Events]);
        Assert.Equal(["Hello"], upToMessage.ActivePath.Select(n => n.Text));
    }
}
