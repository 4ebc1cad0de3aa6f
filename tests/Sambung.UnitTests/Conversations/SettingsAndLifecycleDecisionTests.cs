using Sambung.Events;
using Sambung.Events.Conversations;
using static Sambung.UnitTests.Conversations.ConversationScenario;

namespace Sambung.UnitTests.Conversations;

public sealed class SettingsAndLifecycleDecisionTests
{
    [Fact]
    public void renaming_normalises_spaces_and_refuses_empty_or_long_titles()
    {
        var (_, state, id, _, _) = OneExchange();

        Assert.Equal(new ConversationRenamed("Trip to Bali", false, Owner, Now),
            ConversationDecisions.Decide(new RenameConversation(id, "  Trip   to\nBali ", Owner), state, Now).Single<ConversationRenamed>());
        ConversationDecisions.Decide(new RenameConversation(id, " \t", Owner), state, Now).IsRefused(Refusals.EmptyTitle);
        ConversationDecisions.Decide(new RenameConversation(id, new string('x', 201), Owner), state, Now).IsRefused(Refusals.TitleTooLong);
        Assert.True(ConversationDecisions.Decide(new RenameConversation(id, "Hello", Owner), state, Now).IsNoChange);
    }

    [Fact]
    public void an_automatic_title_never_replaces_one_the_user_chose()
    {
        var (_, state, id, _, _) = OneExchange();
        var automatic = ConversationDecisions.Decide(new RenameConversation(id, "Greetings", Owner, Automatic: true), state, Now).Single<ConversationRenamed>();
        Assert.True(automatic.Automatic);

        var renamedByUser = state.Apply(new ConversationRenamed("Mine", false, Owner, Now));

        Assert.True(ConversationDecisions.Decide(new RenameConversation(id, "Greetings", Owner, Automatic: true), renamedByUser, Now).IsNoChange);
    }

    [Fact]
    public void pinning_folders_and_tags_are_idempotent()
    {
        var (_, state, id, _, _) = OneExchange();
        var folder = Guid.NewGuid();

        var pinned = state.Apply(ConversationDecisions.Decide(new PinConversation(id, true, Owner), state, Now).Single<ConversationPinned>());
        Assert.True(ConversationDecisions.Decide(new PinConversation(id, true, Owner), pinned, Now).IsNoChange);
        ConversationDecisions.Decide(new PinConversation(id, false, Owner), pinned, Now).Single<ConversationUnpinned>();

        var moved = state.Apply(ConversationDecisions.Decide(new MoveConversationToFolder(id, folder, Owner), state, Now).Single<ConversationMovedToFolder>());
        Assert.True(ConversationDecisions.Decide(new MoveConversationToFolder(id, folder, Owner), moved, Now).IsNoChange);
        Assert.Null(ConversationDecisions.Decide(new MoveConversationToFolder(id, null, Owner), moved, Now).Single<ConversationMovedToFolder>().FolderId);

        var tagged = state.Apply(ConversationDecisions.Decide(new TagConversation(id, " travel ", Owner), state, Now).Single<ConversationTagged>());
        Assert.Equal(["travel"], tagged.Tags);
        Assert.True(ConversationDecisions.Decide(new TagConversation(id, "TRAVEL", Owner), tagged, Now).IsNoChange);
        Assert.Equal("travel", ConversationDecisions.Decide(new UntagConversation(id, "Travel", Owner), tagged, Now).Single<ConversationUntagged>().Tag);
        Assert.True(ConversationDecisions.Decide(new UntagConversation(id, "work", Owner), tagged, Now).IsNoChange);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("this tag is far too long to be a useful tag at all")]
    [InlineData("bell\a")]
    public void invalid_tags_are_refused(string tag)
    {
        var (_, state, id, _, _) = OneExchange();
        ConversationDecisions.Decide(new TagConversation(id, tag, Owner), state, Now).IsRefused(Refusals.InvalidTag);
    }

    [Fact]
    public void a_conversation_has_at_most_twenty_tags()
    {
        var (_, state, id, _, _) = OneExchange();
        for (var i = 0; i < ConversationDecisions.MaxTagsPerConversation; i++)
            state = state.Apply(new ConversationTagged($"t{i}", Owner, Now));

        ConversationDecisions.Decide(new TagConversation(id, "one-more", Owner), state, Now).IsRefused(Refusals.TooManyTags);
    }

    [Fact]
    public void model_system_prompt_and_parameters_change_with_validation()
    {
        var (_, state, id, _, _) = OneExchange();
        var other = new ModelRef("ollama", "llama3.2");

        Assert.Equal(other, ConversationDecisions.Decide(new ChangeModel(id, other, Owner), state, Now).Single<ModelChanged>().Model);
        Assert.True(ConversationDecisions.Decide(new ChangeModel(id, Model, Owner), state, Now).IsNoChange);
        ConversationDecisions.Decide(new ChangeModel(id, new("", "x"), Owner), state, Now).IsRefused(Refusals.InvalidModel);

        Assert.Equal("Be brief.", ConversationDecisions.Decide(new ChangeSystemPrompt(id, " Be brief. ", Owner), state, Now).Single<SystemPromptChanged>().SystemPrompt);
        Assert.True(ConversationDecisions.Decide(new ChangeSystemPrompt(id, "  ", Owner), state, Now).IsNoChange);
        ConversationDecisions.Decide(new ChangeSystemPrompt(id, new string('x', 20_001), Owner), state, Now).IsRefused(Refusals.SystemPromptTooLong);

        var p = new GenerationParameters(0.2, 512, 0.9);
        Assert.Equal(p, ConversationDecisions.Decide(new ChangeGenerationParameters(id, p, Owner), state, Now).Single<GenerationParametersChanged>().Parameters);
        ConversationDecisions.Decide(new ChangeGenerationParameters(id, p with { Temperature = 2.5 }, Owner), state, Now).IsRefused(Refusals.InvalidParameters);
        ConversationDecisions.Decide(new ChangeGenerationParameters(id, p with { TopP = -0.1 }, Owner), state, Now).IsRefused(Refusals.InvalidParameters);
        ConversationDecisions.Decide(new ChangeGenerationParameters(id, p with { MaxTokens = 0 }, Owner), state, Now).IsRefused(Refusals.InvalidParameters);
    }

    [Fact]
    public void a_chat_s_fallback_chain_is_a_setting_compared_by_value_and_bounded()
    {
        var (_, state, id, _, _) = OneExchange();
        var (a, b) = (new ModelRef("openai", "a"), new ModelRef("anthropic", "b"));
        var chain = new GenerationParameters(Fallbacks: [a, b]);

        var changed = ConversationDecisions.Decide(new ChangeGenerationParameters(id, chain, Owner), state, Now).Single<GenerationParametersChanged>();
        var after = state.Apply(changed);
        // The same chain in another list instance changes nothing.
        Assert.True(ConversationDecisions.Decide(new ChangeGenerationParameters(id, new(Fallbacks: [a, b]), Owner), after, Now).IsNoChange);
        Assert.False(ConversationDecisions.Decide(new ChangeGenerationParameters(id, new(Fallbacks: [b, a]), Owner), after, Now).IsNoChange);
        ConversationDecisions.Decide(new ChangeGenerationParameters(id, new(Fallbacks: [a, a]), Owner), state, Now).IsRefused(Refusals.InvalidParameters);
        ConversationDecisions.Decide(new ChangeGenerationParameters(id, new(Fallbacks: [a, b, new("x", "c"), new("x", "d")]), Owner), state, Now)
            .IsRefused(Refusals.InvalidParameters);
        // Each reply records the chain it may fall back on.
        var requested = (ReplyRequested)ConversationDecisions.Decide(new PostUserMessage(id, Guid.NewGuid(), null, "Hi", Guid.NewGuid(), Owner), after, Now).Events[1];
        Assert.Equal([a, b], requested.Parameters.FallbackModels);
    }

    [Fact]
    public void new_replies_use_the_conversations_current_settings()
    {
        var (_, state, id, _, _) = OneExchange();
        var other = new ModelRef("ollama", "llama3.2");
        state = state.Apply(new ModelChanged(other, Owner, Now))
            .Apply(new SystemPromptChanged("Answer in Indonesian.", Owner, Now))
            .Apply(new GenerationParametersChanged(new(0.1, 100, null), Owner, Now));

        var requested = (ReplyRequested)ConversationDecisions.Decide(new PostUserMessage(id, Guid.NewGuid(), null, "Hi", Guid.NewGuid(), Owner), state, Now).Events[1];

        Assert.Equal((other, "Answer in Indonesian.", new GenerationParameters(0.1, 100, null)),
            (requested.Model, requested.Context.SystemPrompt, requested.Parameters));
    }

    [Fact]
    public void a_deleted_conversation_waits_in_the_trash_refuses_changes_and_can_be_restored()
    {
        var (_, state, id, _, _) = OneExchange();

        var deleted = state.Apply(ConversationDecisions.Decide(new DeleteConversation(id, Owner), state, Now).Single<ConversationDeleted>());

        Assert.True(ConversationDecisions.Decide(new DeleteConversation(id, Owner), deleted, Now).IsNoChange);
        ConversationDecisions.Decide(new PostUserMessage(id, Guid.NewGuid(), null, "Hi", Guid.NewGuid(), Owner), deleted, Now).IsRefused(Refusals.InTrash);
        ConversationDecisions.Decide(new RenameConversation(id, "New", Owner), deleted, Now).IsRefused(Refusals.InTrash);
        var restored = deleted.Apply(ConversationDecisions.Decide(new RestoreConversation(id, Owner), deleted, Now).Single<ConversationRestored>());
        Assert.Equal(ConversationLifecycle.Active, restored.Lifecycle);
        Assert.True(ConversationDecisions.Decide(new RestoreConversation(id, Owner), restored, Now).IsNoChange);
    }

    [Fact]
    public void purging_names_every_node_and_leaves_nothing_to_change()
    {
        var (_, state, id, message, reply) = OneExchange();

        var purged = ConversationDecisions.Decide(new PurgeConversation(id, Owner, "user"), state, Now).Single<ConversationPurged>();

        Assert.Equal(new[] { message, reply }.Order(), purged.NodeIds.Order());
        var after = state.Apply(purged);
        Assert.Equal(ConversationLifecycle.Purged, after.Lifecycle);
        Assert.Empty(after.Root.Children);
        Assert.True(ConversationDecisions.Decide(new PurgeConversation(id, Owner, "user"), after, Now).IsNoChange);
        ConversationDecisions.Decide(new RestoreConversation(id, Owner), after, Now).IsRefused(Refusals.NotFound);
        ConversationDecisions.Decide(new PostUserMessage(id, Guid.NewGuid(), null, "Hi", Guid.NewGuid(), Owner), after, Now).IsRefused(Refusals.NotFound);
    }

    [Fact]
    public void a_conversation_with_a_running_reply_is_not_purged()
    {
        var (id, message, reply) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var state = Given([.. ConversationDecisions.Decide(new StartConversation(id, Owner, message, "Hi", reply, Model), null, Now).Events]);

        ConversationDecisions.Decide(new PurgeConversation(id, Owner, "user"), state, Now).IsRefused(Refusals.ReplyInProgress);
    }

    [Fact]
    public void the_trash_keeps_a_conversation_for_thirty_days()
    {
        var (_, state, _, _, _) = OneExchange();
        var deleted = state.Apply(new ConversationDeleted(Owner, Now));

        Assert.False(ConversationDecisions.IsDueForPurge(deleted, Now.AddDays(29.9)));
        Assert.True(ConversationDecisions.IsDueForPurge(deleted, Now.AddDays(30)));
        Assert.False(ConversationDecisions.IsDueForPurge(state, Now.AddDays(365)));
    }

    [Fact]
    public void every_command_has_a_decision()
    {
        var commands = typeof(IConversationCommand).Assembly.GetTypes()
            .Where(t => t.IsClass && typeof(IConversationCommand).IsAssignableFrom(t)).ToList();
        var (_, state, _, _, _) = OneExchange();

        Assert.NotEmpty(commands);
        foreach (var type in commands)
        {
            var command = (IConversationCommand)System.Runtime.CompilerServices.RuntimeHelpers.GetUninitializedObject(type);
            var ex = Record.Exception(() => ConversationDecisions.Decide(command, state, Now));
            Assert.False(ex is ArgumentException { ParamName: "command" }, $"{type.Name} has no decision");
        }
    }
}

public sealed class ProjectionCoverageTests
{
    // The page's concurrency check compares against ConversationTree.Version, which Marten moves only for events
    // the projection handles: a conversation event without a handler would make every later post a "conflict".
    [Fact]
    public void the_conversation_tree_handles_every_conversation_event()
    {
        var handled = typeof(Sambung.Projections.Conversations.ConversationTreeProjection).GetMethods()
            .Where(m => m.Name is "Apply" or "Create" or "ShouldDelete")
            .Select(m => m.GetParameters()[0].ParameterType)
            .Select(t => t.IsGenericType ? t.GetGenericArguments()[0] : t)
            .ToHashSet();
        var conversationEvents = typeof(ConversationStarted).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(ConversationStarted).Namespace && t.IsClass && t.IsSealed
                && Sambung.Projections.SambungStore.EventTypes.Contains(t));

        Assert.All(conversationEvents, t => Assert.Contains(t, handled));
    }
}
