using Sambung.Web.Features.Branching;

namespace Sambung.UnitTests.Web;

public sealed class WordDiffTests
{
    private static string First(IEnumerable<DiffPiece> pieces) => string.Concat(pieces.Where(p => p.Op != DiffOp.Added).Select(p => p.Text));
    private static string Second(IEnumerable<DiffPiece> pieces) => string.Concat(pieces.Where(p => p.Op != DiffOp.Removed).Select(p => p.Text));

    [Fact]
    public void a_changed_word_is_removed_from_the_first_and_added_in_the_second()
    {
        var diff = WordDiff.Diff("The cat sat on the mat.", "The dog sat on the mat.");

        Assert.Equal([new(DiffOp.Same, "The "), new(DiffOp.Removed, "cat"), new(DiffOp.Added, "dog"), new(DiffOp.Same, " sat on the mat.")], diff);
    }

    [Fact]
    public void words_inserted_and_deleted_in_the_middle_keep_what_both_share()
    {
        var diff = WordDiff.Diff("Bali has beaches and temples", "Bali has quiet beaches, temples and rice fields");

        Assert.Equal("Bali has beaches and temples", First(diff));
        Assert.Equal("Bali has quiet beaches, temples and rice fields", Second(diff));
        Assert.Contains(new DiffPiece(DiffOp.Added, "quiet "), diff);
        // The longest common run of words is four long ("Bali has beaches" and either "and" or "temples").
        var kept = diff.Where(p => p.Op == DiffOp.Same).SelectMany(p => WordDiff.Tokens(p.Text)).Where(t => t.Trim().Length > 1).ToList();
        Assert.Equal(4, kept.Count);
        Assert.Equal(["Bali", "has", "beaches"], kept.Take(3));
    }

    [Fact]
    public void identical_texts_are_one_same_piece_and_empty_sides_are_all_added_or_removed()
    {
        Assert.Equal([new(DiffOp.Same, "Same words.")], WordDiff.Diff("Same words.", "Same words."));
        Assert.Equal([new(DiffOp.Added, "New text")], WordDiff.Diff("", "New text"));
        Assert.Equal([new(DiffOp.Removed, "Old text")], WordDiff.Diff("Old text", ""));
        Assert.Empty(WordDiff.Diff("", ""));
    }

    [Fact]
    public void tokens_are_words_spaces_and_single_marks_in_any_script()
    {
        Assert.Equal(["Apa", " ", "kabar", "?", " ", "ñandú", "\n\n", "x2", "<", "b", ">"], WordDiff.Tokens("Apa kabar? ñandú\n\nx2<b>"));
    }

    [Fact]
    public void two_long_texts_with_nothing_in_common_are_replaced_whole_without_an_exact_table()
    {
        var a = string.Join(' ', Enumerable.Range(0, 3_000).Select(i => $"a{i}"));
        var b = string.Join(' ', Enumerable.Range(0, 3_000).Select(i => $"b{i}"));

        var diff = WordDiff.Diff(a, b);

        Assert.Equal(a, First(diff));
        Assert.Equal(b, Second(diff));
        Assert.True(diff.Count <= 3);
    }
}
