using Sambung.Events;
using Sambung.Events.Conversations;
using static Sambung.UnitTests.Conversations.ConversationScenario;

namespace Sambung.UnitTests.Conversations;

public sealed class BranchingDecisionTests
{
    private static (List<object> History, Conversation State) Then(List<object> history, Decision decision)
    {
        Assert.False(decision.IsRefused, decision.Refusal);
        List<object> next = [.. history, .. decision.Events];
        return (next, Given([.. next]));
    }

    private static ReplyCompleted Completed(Guid reply, string text = "Answer") =>
        new(reply, text, "stop", new TokenUsage(1, 1), null, TimeSpan.FromSeconds(1), "m", Now);

    [Fact]
    public void editing_a_message_creates_a_sibling_branch_and_keeps_the_original()
    {
        var (history, state, id, message, reply) = OneExchange();
        var (edited, newReply) = (Guid.NewGuid(), Guid.NewGuid());

        var decision = ConversationDecisions.Decide(new EditUserMessage(id, message, edited, " Hello again ", newReply, Owner), state, Now);

        Assert.Collection(decision.Events,
            e => Assert.Equal(new UserMessageEdited(edited, id, message, "Hello again", Owner, Now), e),
            e =>
            {
                var requested = Assert.IsType<ReplyRequested>(e);
                Assert.Equal((newReply, edited), (requested.NodeId, requested.ParentId));
                Assert.Equal((edited, 1), (requested.Context.PathEnd, requested.Context.PathLength));
            });
        var after = Then(history, decision).State;
        Assert.Equal([message, edited], after.Root.Children);
        Assert.Equal("Hello", after.Nodes[message].Text);
        Assert.Equal(newReply, after.ActiveLeafId);
        Assert.Equal(reply, after.LeafUnder(message));
    }

    [Fact]
    public void an_edit_is_idempotent_and_only_applies_to_user_messages()
    {
        var (history, state, id, message, reply) = OneExchange();
        var edit = new EditUserMessage(id, message, Guid.NewGuid(), "Again", Guid.NewGuid(), Owner);
        var after = Then(history, ConversationDecisions.Decide(edit, state, Now)).State;

        Assert.True(ConversationDecisions.Decide(edit, after, Now).IsNoChange);
        ConversationDecisions.Decide(edit with { EditOf = reply, NewMessageId = Guid.NewGuid(), ReplyId = Guid.NewGuid() }, state, Now)
            .IsRefused(Refusals.NotAUserMessage);
        ConversationDecisions.Decide(edit with { Text = " " }, state, Now).IsRefused(Refusals.EmptyMessage);
    }

    [Fact]
    public void regenerating_adds_a_sibling_reply_optionally_with_another_model()
    {
        var (history, state, id, message, reply) = OneExchange();
        var other = new ModelRef("anthropic", "claude-test");
        var newReply = Guid.NewGuid();

        var requested = ConversationDecisions.Decide(new RegenerateReply(id, reply, newReply, Owner, other), state, Now).Single<ReplyRequested>();

        Assert.Equal((newReply, message, other, reply), (requested.NodeId, requested.ParentId, requested.Model, requested.RegenerationOf));
        Assert.Equal((message, 1), (requested.Context.PathEnd, requested.Context.PathLength));
        var after = Then(history, Decision.Accept(requested)).State;
        Assert.Equal([reply, newReply], after.Nodes[message].Children);
        Assert.True(ConversationDecisions.Decide(new RegenerateReply(id, reply, newReply, Owner), after, Now).IsNoChange);
    }

    [Fact]
    public void a_running_reply_or_a_user_message_cannot_be_regenerated()
    {
        var (history, state, id, message, reply) = OneExchange();
        var regenerating = Then(history, ConversationDecisions.Decide(new RegenerateReply(id, reply, Guid.NewGuid(), Owner), state, Now)).State;

        ConversationDecisions.Decide(new RegenerateReply(id, regenerating.ActiveLeafId, Guid.NewGuid(), Owner), regenerating, Now)
            .IsRefused(Refusals.ReplyInProgress);
        ConversationDecisions.Decide(new RegenerateReply(id, message, Guid.NewGuid(), Owner), state, Now).IsRefused(Refusals.NotAReply);
    }

    [Fact]
    public void selecting_a_version_follows_the_branch_to_the_leaf_last_chosen_under_it()
    {
        var (history, state, id, message, reply) = OneExchange();
        // Branch A continues: message -> reply -> a2 -> r2. Then the first message is edited: branch B.
        var (a2, r2) = (Guid.NewGuid(), Guid.NewGuid());
        (history, state) = Then(history, ConversationDecisions.Decide(new PostUserMessage(id, a2, null, "More", r2, Owner), state, Now));
        (history, state) = Then(history, Decision.Accept(Completed(r2)));
        var (b, rb) = (Guid.NewGuid(), Guid.NewGuid());
        (history, state) = Then(history, ConversationDecisions.Decide(new EditUserMessage(id, message, b, "Other", rb, Owner), state, Now));
        (history, state) = Then(history, Decision.Accept(Completed(rb)));

        var back = ConversationDecisions.Decide(new SelectBranch(id, message, Owner), state, Now).Single<BranchSelected>();

        Assert.Equal(r2, back.LeafId);
        (_, state) = Then(history, Decision.Accept(back));
        Assert.True(ConversationDecisions.Decide(new SelectBranch(id, message, Owner), state, Now).IsNoChange);
        Assert.Equal(rb, ConversationDecisions.Decide(new SelectBranch(id, b, Owner), state, Now).Single<BranchSelected>().LeafId);
        ConversationDecisions.Decide(new SelectBranch(id, Guid.NewGuid(), Owner), state, Now).IsRefused(Refusals.NotFound);
    }

    [Fact]
    public void hiding_a_branch_is_reversible_and_moves_the_page_off_it()
    {
        var (history, state, id, message, reply) = OneExchange();
        var (b, rb) = (Guid.NewGuid(), Guid.NewGuid());
        (history, state) = Then(history, ConversationDecisions.Decide(new EditUserMessage(id, message, b, "Other", rb, Owner), state, Now));
        (history, state) = Then(history, Decision.Accept(Completed(rb)));

        var hide = ConversationDecisions.Decide(new HideBranch(id, b, Owner), state, Now);

        Assert.Collection(hide.Events,
            e => Assert.Equal(new BranchHidden(b, id, Owner, Now), e),
            e => Assert.Equal(new BranchSelected(reply, Owner, Now), e));
        (history, state) = Then(history, hide);
        Assert.False(state.IsVisible(rb));
        Assert.True(ConversationDecisions.Decide(new HideBranch(id, b, Owner), state, Now).IsNoChange);
        ConversationDecisions.Decide(new SelectBranch(id, b, Owner), state, Now).IsRefused(Refusals.BranchHidden);
        ConversationDecisions.Decide(new PostUserMessage(id, Guid.NewGuid(), rb, "x", Guid.NewGuid(), Owner), state, Now).IsRefused(Refusals.UnknownParent);

        var restored = ConversationDecisions.Decide(new RestoreBranch(id, b, Owner), state, Now).Single<BranchRestored>();
        (_, state) = Then(history, Decision.Accept(restored));
        Assert.True(state.IsVisible(rb));
        Assert.True(ConversationDecisions.Decide(new RestoreBranch(id, b, Owner), state, Now).IsNoChange);
    }

    [Fact]
    public void the_only_version_cannot_be_hidden()
    {
        var (_, state, id, message, _) = OneExchange();
        ConversationDecisions.Decide(new HideBranch(id, message, Owner), state, Now).IsRefused(Refusals.OnlyBranch);
    }

    [Fact]
    public void merging_carries_the_other_branch_verbatim_with_provenance()
    {
        var (history, state, id, message, reply) = OneExchange();
        // A: Hello -> Hi! -> "Plan A" -> "Answer A".   B: Hello -> Hi! -> "Plan B" -> "Answer B".
        var (a, ra, b, rb) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        (history, state) = Then(history, ConversationDecisions.Decide(new PostUserMessage(id, a, reply, "Plan A", ra, Owner), state, Now));
        (history, state) = Then(history, Decision.Accept(Completed(ra, "Answer A")));
        (history, state) = Then(history, ConversationDecisions.Decide(new PostUserMessage(id, b, reply, "Plan B", rb, Owner), state, Now));
        (history, state) = Then(history, Decision.Accept(Completed(rb, "Answer B")));
        var merge = Guid.NewGuid();

        var merged = ConversationDecisions.Decide(new MergeBranches(id, ra, rb, MergeStrategy.Verbatim, merge, Owner), state, Now)
            .Single<BranchesMerged>();

        Assert.Equal((merge, ra, rb), (merged.NodeId, merged.ParentId, merged.SourceLeafId));
        Assert.Equal([b, rb], merged.SourceNodeIds);
        Assert.Equal("User: Plan B\n\nAssistant: Answer B", merged.Text);
        (history, state) = Then(history, Decision.Accept(merged));
        Assert.Equal(merge, state.ActiveLeafId);

        // What follows the merge sees both branches.
        var next = ConversationDecisions.Decide(new PostUserMessage(id, Guid.NewGuid(), null, "Combine them", Guid.NewGuid(), Owner), state, Now);
        (_, state) = Then(history, next);
        Assert.Equal([message, reply, a, ra, merge, ((UserMessagePosted)next.Events[0]).NodeId], state.PromptPath(((ReplyRequested)next.Events[1]).Context));
    }

    [Fact]
    public void merging_with_a_summary_uses_the_summary_and_refuses_what_cannot_merge()
    {
        var (history, state, id, message, reply) = OneExchange();
        var (b, rb) = (Guid.NewGuid(), Guid.NewGuid());
        (history, state) = Then(history, ConversationDecisions.Decide(new EditUserMessage(id, message, b, "Other", rb, Owner), state, Now));
        (history, state) = Then(history, Decision.Accept(Completed(rb, "Other answer")));
        var merge = new MergeBranches(id, reply, rb, MergeStrategy.Summary, Guid.NewGuid(), Owner, " They asked about other things. ");

        var merged = ConversationDecisions.Decide(merge, state, Now).Single<BranchesMerged>();

        Assert.Equal("They asked about other things.", merged.Text);
        Assert.Equal([b, rb], merged.SourceNodeIds);
        ConversationDecisions.Decide(merge with { Summary = "" }, state, Now).IsRefused(Refusals.EmptyMessage);
        // A merge node goes where a message could: not under a user message waiting for its reply.
        ConversationDecisions.Decide(merge with { TargetLeafId = b, SourceLeafId = reply }, state, Now)
            .IsRefused(Refusals.UnknownParent);
        // The source lies entirely on the target's path: nothing to carry over.
        ConversationDecisions.Decide(merge with { TargetLeafId = rb, SourceLeafId = b, Strategy = MergeStrategy.Verbatim }, state, Now)
            .IsRefused(Refusals.NothingToMerge);
        ConversationDecisions.Decide(merge with { SourceLeafId = message, Strategy = MergeStrategy.Verbatim }, state, Now)
            .IsRefused(Refusals.NothingToMerge);
        ConversationDecisions.Decide(merge with { SourceLeafId = Guid.NewGuid() }, state, Now).IsRefused(Refusals.NotFound);
        var afterMerge = Then(history, Decision.Accept(merged)).State;
        Assert.True(ConversationDecisions.Decide(merge, afterMerge, Now).IsNoChange);
    }

    [Fact]
    public void a_fallback_records_the_model_that_took_over()
    {
        var (id, message, reply) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var state = Given([.. ConversationDecisions.Decide(new StartConversation(id, Owner, message, "Hi", reply, Model), null, Now).Events]);
        var backup = new ModelRef("groq", "llama");

        var taken = ConversationDecisions.Decide(new TakeFallback(id, reply, backup, "rate-limited"), state, Now).Single<FallbackTaken>();

        Assert.Equal(new FallbackTaken(reply, Model, backup, "rate-limited", Now, Owner), taken);
        Assert.Equal(backup, state.Apply(taken).Nodes[reply].Model);
        Assert.True(ConversationDecisions.Decide(new TakeFallback(id, reply, backup, "again"), state.Apply(taken), Now).IsNoChange);
    }

    [Fact]
    public void a_reply_ending_is_no_conflict_for_a_caller_who_saw_it_start_but_a_person_s_change_is()
    {
        var (history, state, id, message, _) = OneExchange();
        var (next, nextReply) = (Guid.NewGuid(), Guid.NewGuid());
        var (posted, asked) = Then(history, ConversationDecisions.Decide(new PostUserMessage(id, next, null, "More", nextReply, Owner), state, Now));
        var seen = asked.Version;

        var ended = Given([.. posted, Completed(nextReply), new ConversationRenamed("Auto", true, Owner, Now)]);
        Assert.True(ended.IsCurrentFor(seen));
        Assert.False(ended.IsCurrentFor(seen - 1));
        Assert.False(ended.IsCurrentFor(ended.Version + 1));

        var renamed = ended.Apply(new ConversationRenamed("Mine", false, Owner, Now));
        Assert.False(renamed.IsCurrentFor(seen));
        Assert.True(renamed.IsCurrentFor(renamed.Version));
        Assert.Equal(message, renamed.PathTo(renamed.ActiveLeafId)[0].Id);
    }

    [Fact]
    public void after_any_history_the_remembered_choices_lead_from_the_root_to_the_active_leaf()
    {
        var (history, state, id, message, reply) = OneExchange();
        var (edited, editReply, more, moreReply) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        (history, state) = Then(history, ConversationDecisions.Decide(new EditUserMessage(id, message, edited, "Other", editReply, Owner), state, Now));
        (history, state) = Then(history, Decision.Accept(Completed(editReply)));
        (history, state) = Then(history, ConversationDecisions.Decide(new SelectBranch(id, reply, Owner), state, Now));
        (history, state) = Then(history, ConversationDecisions.Decide(new PostUserMessage(id, more, null, "Go on", moreReply, Owner), state, Now));

        Assert.Equal(moreReply, state.ActiveLeafId);
        Assert.Equal(state.ActiveLeafId, state.LeafUnder(id));
        Assert.Equal([message, reply, more, moreReply], state.ActivePath.Select(n => n.Id));
        Assert.Equal([message, reply, more], state.PromptPath(((ReplyRequested)history[^1]).Context));
        Assert.Equal(editReply, state.LeafUnder(edited));
    }
}
