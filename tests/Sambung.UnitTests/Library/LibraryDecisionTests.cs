using Sambung.Events;
using Sambung.Events.Library;

namespace Sambung.UnitTests.Library;

public sealed class LibraryDecisionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);
    private const string Owner = "alice";

    private static UserLibrary Given(params object[] events) => UserLibrary.Fold(Owner, events);

    [Fact]
    public void a_folder_is_created_renamed_and_deleted()
    {
        var id = Guid.NewGuid();
        var created = (FolderCreated)LibraryDecisions.Decide(new CreateFolder(id, "  Work  stuff ", Owner), Given(), Now).Events.Single();
        Assert.Equal(new FolderCreated(id, "Work stuff", Owner, Now), created);
        var state = Given(created);

        Assert.True(LibraryDecisions.Decide(new CreateFolder(id, "Work stuff", Owner), state, Now).IsNoChange);
        Assert.Equal(new FolderRenamed(id, "Office", Owner, Now), LibraryDecisions.Decide(new RenameFolder(id, "Office", Owner), state, Now).Events.Single());
        Assert.Equal(new FolderDeleted(id, Owner, Now), LibraryDecisions.Decide(new DeleteFolder(id, Owner), state, Now).Events.Single());
        Assert.True(LibraryDecisions.Decide(new DeleteFolder(Guid.NewGuid(), Owner), state, Now).IsNoChange);
    }

    [Fact]
    public void folder_names_are_unique_per_user_and_valid()
    {
        var state = Given(new FolderCreated(Guid.NewGuid(), "Work", Owner, Now));

        Assert.Equal(Refusals.FolderExists, LibraryDecisions.Decide(new CreateFolder(Guid.NewGuid(), "work", Owner), state, Now).Refusal);
        Assert.Equal(Refusals.InvalidFolderName, LibraryDecisions.Decide(new CreateFolder(Guid.NewGuid(), " ", Owner), state, Now).Refusal);
        Assert.Equal(Refusals.InvalidFolderName, LibraryDecisions.Decide(new CreateFolder(Guid.NewGuid(), new string('x', 81), Owner), state, Now).Refusal);
        Assert.Equal(Refusals.NotFound, LibraryDecisions.Decide(new RenameFolder(Guid.NewGuid(), "X", Owner), state, Now).Refusal);
    }

    [Fact]
    public void tags_are_created_renamed_and_deleted_keeping_their_spelling()
    {
        var state = Given(new TagCreated("AI", Owner, Now));

        Assert.True(LibraryDecisions.Decide(new CreateTag("ai", Owner), state, Now).IsNoChange);
        Assert.Equal(new TagRenamed("AI", "ML", Owner, Now), LibraryDecisions.Decide(new RenameTag("ai", "ML", Owner), state, Now).Events.Single());
        Assert.Equal(new TagRenamed("AI", "Ai", Owner, Now), LibraryDecisions.Decide(new RenameTag("AI", "Ai", Owner), state, Now).Events.Single());
        Assert.Equal(new TagDeleted("AI", Owner, Now), LibraryDecisions.Decide(new DeleteTag("ai", Owner), state, Now).Events.Single());
        var two = state.Apply(new TagCreated("ML", Owner, Now));
        Assert.Equal(Refusals.TagExists, LibraryDecisions.Decide(new RenameTag("AI", "ml", Owner), two, Now).Refusal);
    }

    [Fact]
    public void each_user_has_one_library_stream()
    {
        Assert.Equal(UserLibrary.IdFor("alice"), UserLibrary.IdFor("alice"));
        Assert.NotEqual(UserLibrary.IdFor("alice"), UserLibrary.IdFor("bob"));
    }
}
