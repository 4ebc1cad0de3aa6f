using Sambung.Events;
using Sambung.Events.Prompts;

namespace Sambung.UnitTests.Prompts;

public sealed class PromptDecisionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);
    private const string Owner = "alice";
    private static readonly Guid Id = Guid.NewGuid();

    private static PromptContent Content(string text = "Summarize {{text}}", string name = "Summary") => new(name, "", text, "Writing", ["work"]);

    private static PromptTemplate Given(params object[] events) => PromptTemplate.Fold(events)!;

    private static PromptCreated Created => new(Id, Owner, Content(), null, Now);

    [Fact]
    public void creating_a_prompt_makes_version_1_with_tidied_content()
    {
        var decision = PromptDecisions.Decide(new CreatePrompt(Id, new("  My   prompt ", " d ", "Hi {{who}}", " Work ", ["a", " A ", "b", ""]), Owner), null, Now);

        var created = Assert.IsType<PromptCreated>(Assert.Single(decision.Events));
        Assert.Equal(("My prompt", "d", "Hi {{who}}", "Work"), (created.Content.Name, created.Content.Description, created.Content.Text, created.Content.Category));
        Assert.Equal(["a", "b"], created.Content.Tags);
        var state = Given(created);
        Assert.Equal(1, state.Current.Number);
        Assert.True(PromptDecisions.Decide(new CreatePrompt(Id, new("My prompt", "d", "Hi {{who}}", "Work", ["a", "b"]), Owner), state, Now).IsNoChange);
        Assert.Equal(Refusals.IdAlreadyUsed, PromptDecisions.Decide(new CreatePrompt(Id, Content(), "bob"), state, Now).Refusal);
    }

    [Theory]
    [InlineData("", "text", PromptRefusals.InvalidName)]
    [InlineData("Name", "   ", PromptRefusals.EmptyText)]
    [InlineData("Name", "Broken {{name", PromptRefusals.InvalidTemplate)]
    [InlineData("Name", "{{a:1}} {{a:2}}", PromptRefusals.InvalidTemplate)]
    public void invalid_prompts_are_refused_with_a_reason(string name, string text, string refusal)
    {
        Assert.Equal(refusal, PromptDecisions.Decide(new CreatePrompt(Id, new(name, "", text, "", []), Owner), null, Now).Refusal);
    }

    [Fact]
    public void limits_on_length_category_and_tags_are_refusals()
    {
        Assert.Equal(PromptRefusals.TextTooLong, PromptDecisions.Decide(new CreatePrompt(Id, Content(new string('x', PromptTemplate.MaxTextLength + 1)), Owner), null, Now).Refusal);
        Assert.Equal(PromptRefusals.InvalidName, PromptDecisions.Decide(new CreatePrompt(Id, Content(name: new string('n', 101)), Owner), null, Now).Refusal);
        Assert.Equal(PromptRefusals.InvalidTags, PromptDecisions.Decide(new CreatePrompt(Id,
            Content() with { Tags = [.. Enumerable.Range(0, 11).Select(i => $"t{i}")] }, Owner), null, Now).Refusal);
        Assert.Equal(PromptRefusals.InvalidCategory, PromptDecisions.Decide(new CreatePrompt(Id, Content() with { Category = new string('c', 41) }, Owner), null, Now).Refusal);
    }

    [Fact]
    public void each_edit_is_a_new_version_and_an_unchanged_save_is_none()
    {
        var state = Given(Created);

        Assert.True(PromptDecisions.Decide(new EditPrompt(Id, Content(), Owner), state, Now).IsNoChange);
        var edited = Assert.IsType<PromptEdited>(Assert.Single(PromptDecisions.Decide(new EditPrompt(Id, Content("Shorten {{text}}"), Owner), state, Now).Events));
        Assert.Equal(2, edited.Version);
        state = state.Apply(edited);
        Assert.Equal(["Summarize {{text}}", "Shorten {{text}}"], state.Versions.Select(v => v.Content.Text));
        Assert.Equal(PromptRefusals.InvalidTemplate, PromptDecisions.Decide(new EditPrompt(Id, Content("{{oops"), Owner), state, Now).Refusal);
    }

    [Fact]
    public void restoring_appends_the_old_content_as_a_new_version_and_loses_nothing()
    {
        var state = Given(Created, new PromptEdited(Id, 2, Content("Shorten {{text}}"), Owner, Now), new PromptEdited(Id, 3, Content("Expand {{text}}"), Owner, Now));

        var restored = Assert.IsType<PromptVersionRestored>(Assert.Single(PromptDecisions.Decide(new RestorePromptVersion(Id, 1, Owner), state, Now).Events));
        Assert.Equal((4, 1, "Summarize {{text}}"), (restored.Version, restored.FromVersion, restored.Content.Text));
        state = state.Apply(restored);
        Assert.Equal([1, 2, 3, 4], state.Versions.Select(v => v.Number));
        Assert.Equal(1, state.Current.RestoredFrom);
        Assert.True(PromptDecisions.Decide(new RestorePromptVersion(Id, 1, Owner), state, Now).IsNoChange, "already the current text");
        Assert.Equal(Refusals.NotFound, PromptDecisions.Decide(new RestorePromptVersion(Id, 9, Owner), state, Now).Refusal);
    }

    [Fact]
    public void only_the_owner_edits_restores_deletes_or_publishes()
    {
        var state = Given(Created);
        const string other = "mallory";

        Assert.Equal(Refusals.NotFound, PromptDecisions.Decide(new EditPrompt(Id, Content("x"), other), state, Now).Refusal);
        Assert.Equal(Refusals.NotFound, PromptDecisions.Decide(new RestorePromptVersion(Id, 1, other), state, Now).Refusal);
        Assert.Equal(Refusals.NotFound, PromptDecisions.Decide(new DeletePrompt(Id, other), state, Now).Refusal);
        Assert.Equal(Refusals.NotFound, PromptDecisions.Decide(new PublishPrompt(Id, "M", other), state, Now).Refusal);
        Assert.Equal(Refusals.NotFound, PromptDecisions.Decide(new UnpublishPrompt(Id, other, false), state, Now).Refusal);
        Assert.Equal(Refusals.NotFound, PromptDecisions.Decide(new EditPrompt(Id, Content("x"), Owner), null, Now).Refusal);
    }

    [Fact]
    public void deleting_is_once_and_a_deleted_prompt_can_no_longer_change()
    {
        var state = Given(Created);
        var deleted = Assert.IsType<PromptDeleted>(Assert.Single(PromptDecisions.Decide(new DeletePrompt(Id, Owner), state, Now).Events));
        state = state.Apply(deleted);

        Assert.True(PromptDecisions.Decide(new DeletePrompt(Id, Owner), state, Now).IsNoChange);
        Assert.Equal(Refusals.NotFound, PromptDecisions.Decide(new EditPrompt(Id, Content("x"), Owner), state, Now).Refusal);
    }

    [Fact]
    public void publishing_shares_the_current_version_and_publishing_it_again_changes_nothing()
    {
        var state = Given(Created);
        var published = Assert.IsType<PromptPublished>(Assert.Single(PromptDecisions.Decide(new PublishPrompt(Id, "Alice", Owner), state, Now).Events));
        Assert.Equal((1, "Alice"), (published.Version, published.AuthorName));
        state = state.Apply(published);
        Assert.True(PromptDecisions.Decide(new PublishPrompt(Id, "Alice", Owner), state, Now).IsNoChange);

        state = state.Apply(new PromptEdited(Id, 2, Content("New {{text}}"), Owner, Now));
        Assert.Equal(1, state.PublishedVersion); // an edit stays private
        Assert.Equal(2, ((PromptPublished)PromptDecisions.Decide(new PublishPrompt(Id, "Alice", Owner), state, Now).Events.Single()).Version);
    }

    [Fact]
    public void the_owner_or_an_admin_unpublishes_and_nobody_else()
    {
        var state = Given(Created, new PromptPublished(Id, 1, "Alice", Owner, Now));

        Assert.Equal(new PromptUnpublished(Id, Owner, false, Now), PromptDecisions.Decide(new UnpublishPrompt(Id, Owner, false), state, Now).Events.Single());
        Assert.Equal(new PromptUnpublished(Id, "root", true, Now), PromptDecisions.Decide(new UnpublishPrompt(Id, "root", true), state, Now).Events.Single());
        Assert.Equal(Refusals.NotFound, PromptDecisions.Decide(new UnpublishPrompt(Id, "bob", false), state, Now).Refusal);
        state = state.Apply(new PromptUnpublished(Id, "root", true, Now));
        Assert.True(PromptDecisions.Decide(new UnpublishPrompt(Id, Owner, false), state, Now).IsNoChange);
        Assert.Equal(Refusals.NotFound, PromptDecisions.Decide(new UnpublishPrompt(Id, "root", true), state, Now).Refusal);
    }

    [Fact]
    public void copying_takes_the_published_version_remembers_its_source_and_counts_on_the_source()
    {
        var copyId = Guid.NewGuid();
        var source = Given(Created, new PromptPublished(Id, 1, "Alice", Owner, Now), new PromptEdited(Id, 2, Content("Private {{draft}}"), Owner, Now));
        var cmd = new CopyPrompt(Id, copyId, "bob");

        var copy = Assert.IsType<PromptCreated>(Assert.Single(PromptDecisions.DecideCopy(cmd, source, null, "Alice", Now).Events));
        Assert.Equal((copyId, "bob", "Summarize {{text}}"), (copy.PromptId, copy.OwnerId, copy.Content.Text));
        Assert.Equal(new PromptSource(Id, 1, "Alice"), copy.Source);
        Assert.True(PromptDecisions.DecideCopy(cmd, source, PromptTemplate.Create(copy), "Alice", Now).IsNoChange, "the same copy twice");
        Assert.Equal(1, source.Apply(PromptDecisions.DecideCopied(cmd, source, Now).Events.Single()).Copies);

        var unpublished = source.Apply(new PromptUnpublished(Id, Owner, false, Now));
        Assert.Equal(PromptRefusals.NotPublished, PromptDecisions.DecideCopy(cmd, unpublished, null, "Alice", Now).Refusal);
        Assert.Equal(PromptRefusals.NotPublished, PromptDecisions.DecideCopy(cmd, Given(Created), null, "Alice", Now).Refusal);
        Assert.Equal(PromptRefusals.NotPublished, PromptDecisions.DecideCopy(cmd, null, null, "Alice", Now).Refusal);
    }

    [Fact]
    public void built_in_ids_are_stable_and_distinct()
    {
        Assert.Equal(PromptTemplate.BuiltInId("summarize"), PromptTemplate.BuiltInId("summarize"));
        Assert.NotEqual(PromptTemplate.BuiltInId("summarize"), PromptTemplate.BuiltInId("translate"));
    }
}
