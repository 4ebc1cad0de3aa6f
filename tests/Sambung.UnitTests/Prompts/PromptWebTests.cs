using System.Globalization;
using System.Text;
using Sambung.Events.Prompts;
using Sambung.Web.Features.Prompts;

namespace Sambung.UnitTests.Prompts;

public sealed class PromptWebTests
{
    [Fact]
    public void every_built_in_is_valid_in_both_languages_and_has_the_named_ones()
    {
        foreach (var builtIn in BuiltInPrompts.All)
            foreach (var text in new[] { builtIn.English, builtIn.Indonesian })
            {
                var (content, refusal) = PromptTemplate.Normalize(new(text.Name, text.Description, text.Template, text.Category, builtIn.Tags));
                Assert.True(content is not null, $"{builtIn.Key}: {refusal}");
            }
        Assert.Equal(BuiltInPrompts.All.Count, BuiltInPrompts.All.Select(b => b.Id).Distinct().Count());
        string[] named = ["Summarize", "Translate", "Code generation", "Explain code", "Fix grammar", "Brainstorm"];
        Assert.All(named, name => Assert.Contains(BuiltInPrompts.All, b => b.English.Name == name));
        Assert.Equal("Ringkas", BuiltInPrompts.All[0].In(CultureInfo.GetCultureInfo("id-ID")).Name);
    }

    [Fact]
    public void a_diff_shows_removed_and_added_lines_between_unchanged_ones()
    {
        var diff = TextDiff.Lines("a\nb\nc\nd", "a\nB\nc\nd\ne");

        Assert.Equal([(DiffKind.Same, "a"), (DiffKind.Removed, "b"), (DiffKind.Added, "B"), (DiffKind.Same, "c"), (DiffKind.Same, "d"), (DiffKind.Added, "e")],
            diff.Select(l => (l.Kind, l.Text)));
        Assert.All(TextDiff.Lines("same", "same"), l => Assert.Equal(DiffKind.Same, l.Kind));
        Assert.Equal([DiffKind.Added], TextDiff.Lines("", "new").Select(l => l.Kind));
    }

    [Fact]
    public void a_huge_diff_falls_back_to_removed_then_added()
    {
        var before = string.Join('\n', Enumerable.Range(0, 5000).Select(i => $"a{i}"));
        var after = string.Join('\n', Enumerable.Range(0, 5000).Select(i => $"b{i}"));

        var diff = TextDiff.Lines(before, after);
        Assert.Equal(10_000, diff.Count);
        Assert.All(diff.Take(5000), l => Assert.Equal(DiffKind.Removed, l.Kind));
    }

    private static IEnumerable<string> None => [];

    [Fact]
    public void export_then_import_round_trips_and_name_clashes_get_a_number()
    {
        var card = new PromptCard(Guid.NewGuid(), 3, "Summary", "d", "Sum {{text}}", "Writing", ["work"], false, null, 0, null, false);
        var bytes = PromptTransfer.Export([card, card with { Name = "Other" }]);

        var read = PromptTransfer.Read(bytes, ["summary", "Summary (2)"]);
        Assert.Null(read.Error);
        Assert.Equal(["Summary (3)", "Other"], read.Prompts.Select(p => p.Name));
        Assert.Equal(("d", "Sum {{text}}", "Writing"), (read.Prompts[0].Description, read.Prompts[0].Text, read.Prompts[0].Category));
        Assert.Equal(["work"], read.Prompts[0].Tags);
        Assert.Equal(["Summary", "Summary (2)"], PromptTransfer.Read(PromptTransfer.Export([card, card]), None).Prompts.Select(p => p.Name));
    }

    [Theory]
    [InlineData("not json", "File")]
    [InlineData("[]", "File")]
    [InlineData("{\"format\":\"other\",\"version\":1,\"prompts\":[]}", "File")]
    [InlineData("{\"format\":\"sambung-prompts\",\"version\":1,\"prompts\":[]}", "Empty")]
    [InlineData("{\"format\":\"sambung-prompts\",\"version\":1,\"prompts\":[{\"name\":\"ok\",\"text\":\"fine\"},{\"name\":\"bad\",\"text\":\"{{oops\"}]}", PromptRefusals.InvalidTemplate)]
    [InlineData("{\"format\":\"sambung-prompts\",\"version\":1,\"prompts\":[{\"name\":\"\",\"text\":\"fine\"}]}", PromptRefusals.InvalidName)]
    [InlineData("{\"format\":\"sambung-prompts\",\"version\":1,\"prompts\":[null]}", PromptRefusals.InvalidName)]
    public void an_invalid_file_imports_nothing_and_says_why(string json, string error)
    {
        var read = PromptTransfer.Read(Encoding.UTF8.GetBytes(json), None);

        Assert.Equal(error, read.Error);
        Assert.Empty(read.Prompts);
    }

    [Fact]
    public void the_bad_prompt_is_named_by_its_position()
    {
        var read = PromptTransfer.Read(Encoding.UTF8.GetBytes("{\"format\":\"sambung-prompts\",\"version\":1,\"prompts\":[{\"name\":\"ok\",\"text\":\"fine\"},{\"name\":\"bad\",\"text\":\"{{oops\"}]}"), None);
        Assert.Equal((2, "bad"), (read.BadIndex, read.BadName));
    }

    [Fact]
    public void filtering_matches_text_category_and_tag_and_sorts()
    {
        PromptCard Card(string name, string category, string tag, int uses, int day) =>
            new(Guid.NewGuid(), 1, name, "", $"About {name}", category, [tag], false, new DateTimeOffset(2026, 11, day, 0, 0, 0, TimeSpan.Zero), uses, null, false);
        PromptCard[] cards = [Card("Beta", "Code", "x", 5, 1), Card("alpha", "Writing", "y", 1, 3), Card("Gamma", "Code", "y", 9, 2)];

        Assert.Equal(["alpha", "Beta", "Gamma"], PromptFilter.From(null, null, null, null).Apply(cards).Select(c => c.Name));
        Assert.Equal(["Gamma", "Beta", "alpha"], PromptFilter.From(null, null, null, "used").Apply(cards).Select(c => c.Name));
        Assert.Equal(["alpha", "Gamma", "Beta"], PromptFilter.From(null, null, null, "recent").Apply(cards).Select(c => c.Name));
        Assert.Equal(["Gamma"], PromptFilter.From(null, "code", "Y", "name").Apply(cards).Select(c => c.Name));
        Assert.Equal(["Beta"], PromptFilter.From("about be", null, null, "bogus").Apply(cards).Select(c => c.Name));
    }
}
