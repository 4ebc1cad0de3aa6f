using Sambung.Web.Features.Rendering;

namespace Sambung.UnitTests.Web;

public sealed class RenderingBlocksTests
{
    private static (List<string> Blocks, string Tail) Split(params string[] pieces)
    {
        var blocks = new MarkdownBlocks();
        var finished = pieces.SelectMany(blocks.Append).ToList();
        return (finished, blocks.Tail);
    }

    [Fact]
    public void a_paragraph_is_finished_by_a_blank_line_and_the_rest_is_the_tail()
    {
        var (blocks, tail) = Split("First **para", "graph**.\n\nSecond ", "one");

        Assert.Equal(["First **paragraph**.\n"], blocks);
        Assert.Equal("Second one", tail);
    }

    [Fact]
    public void nothing_is_finished_before_a_blank_line()
    {
        var (blocks, tail) = Split("# Title\nA line\n| a | b |\n|---|---|\n| 1 | 2 |\n");

        Assert.Empty(blocks);
        Assert.Equal("# Title\nA line\n| a | b |\n|---|---|\n| 1 | 2 |\n", tail);
    }

    [Fact]
    public void blank_lines_before_a_block_are_dropped()
    {
        var (blocks, tail) = Split("\n\n  \nHello");

        Assert.Empty(blocks);
        Assert.Equal("Hello", tail);
    }

    [Fact]
    public void a_fenced_code_block_keeps_its_blank_lines_and_is_finished_at_its_closing_fence()
    {
        var (blocks, tail) = Split("```python\ndef f():\n\n    return 1\n", "\n```", "\nAfter");

        Assert.Equal(["```python\ndef f():\n\n    return 1\n\n```\n"], blocks);
        Assert.Equal("After", tail);
    }

    [Fact]
    public void a_closing_fence_must_be_as_long_as_the_opening_one_and_of_the_same_kind()
    {
        var (blocks, tail) = Split("````\n```\n\n~~~\n\n````\n");

        Assert.Equal(["````\n```\n\n~~~\n\n````\n"], blocks);
        Assert.Equal("", tail);
    }

    [Fact]
    public void an_unterminated_fence_is_never_finished()
    {
        var (blocks, tail) = Split("Intro\n\n```\ncode\n\nmore code\n\n");

        Assert.Equal(["Intro\n"], blocks);
        Assert.Equal("```\ncode\n\nmore code\n\n", tail);
    }

    [Fact]
    public void inline_code_with_three_backticks_is_not_a_fence()
    {
        var (blocks, _) = Split("Use ```x``` here\n\nNext\n\n");

        Assert.Equal(["Use ```x``` here\n", "Next\n"], blocks);
    }

    [Fact]
    public void a_math_block_keeps_its_blank_lines()
    {
        var (blocks, tail) = Split("$$\na\n\nb\n$$\n\nafter\n\n");

        Assert.Equal(["$$\na\n\nb\n$$\n", "after\n"], blocks);
        Assert.Equal("", tail);
    }

    [Fact]
    public void a_list_goes_on_across_blank_lines_while_items_or_indented_lines_follow()
    {
        var (blocks, tail) = Split("- one\n\n- two\n\n  more about two\n\n1. three\n\n");

        Assert.Empty(blocks);
        Assert.Equal("- one\n\n- two\n\n  more about two\n\n1. three\n\n", tail);
    }

    [Fact]
    public void a_list_is_finished_when_a_blank_line_is_followed_by_something_else()
    {
        var (blocks, tail) = Split("- one\n- two\n\n", "After the list", "\nand more");

        Assert.Equal(["- one\n- two\n"], blocks);
        Assert.Equal("After the list\nand more", tail);
    }

    [Fact]
    public void a_list_is_finished_as_soon_as_the_next_line_cannot_belong_to_it()
    {
        var (blocks, tail) = Split("- one\n- two\n\n", "Af");

        Assert.Equal(["- one\n- two\n"], blocks);
        Assert.Equal("Af", tail);
    }

    [Fact]
    public void the_line_after_a_list_is_judged_once_it_is_complete_when_it_could_belong_to_it()
    {
        var blocks = new MarkdownBlocks();
        Assert.Empty(blocks.Append("- one\n\n  "));
        Assert.Empty(blocks.Append("continued"));
        Assert.Empty(blocks.Append("\n\n1"));
        Assert.Empty(blocks.Append("0"));
        Assert.Equal(["- one\n\n  continued\n"], blocks.Append("0 is not a list item\n"));
        Assert.Equal("100 is not a list item\n", blocks.Tail);
    }

    [Fact]
    public void a_fence_inside_a_list_item_does_not_finish_the_list()
    {
        var (blocks, tail) = Split("- item\n\n  ```\n  code\n\n  ```\n- next\n\nDone\n\n");

        Assert.Equal(["- item\n\n  ```\n  code\n\n  ```\n- next\n", "Done\n"], blocks);
        Assert.Equal("", tail);
    }

    [Fact]
    public void indented_code_goes_on_across_blank_lines()
    {
        var (blocks, tail) = Split("    line 1\n\n    line 2\n\nText\n\n");

        Assert.Equal(["    line 1\n\n    line 2\n", "Text\n"], blocks);
        Assert.Equal("", tail);
    }

    [Fact]
    public void a_quoted_fence_is_followed_through_its_quote_markers()
    {
        var (blocks, tail) = Split("> ```\n> a\n>\n> ```\n\nNext\n\n");

        Assert.Equal(["> ```\n> a\n>\n> ```\n", "Next\n"], blocks);
        Assert.Equal("", tail);
    }

    [Fact]
    public void windows_line_endings_are_understood()
    {
        var (blocks, tail) = Split("One\r\n\r\nTwo\r\n\r\n");

        Assert.Equal(["One\r\n", "Two\r\n"], blocks);
        Assert.Equal("", tail);
    }

    public static TheoryData<string> Documents => new(
        "Intro with **bold**.\n\n- a\n- b\n\n  still b\n\nText after.\n\n```js\nlet x = 1;\n\nx++;\n```\nTail text",
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n$$\nx^2\n\n$$\n\n> quote\n> more\n\n1. one\n2. two\n\n\n\nend",
        RenderingHostileCorpus.Document);

    [Theory]
    [MemberData(nameof(Documents))]
    public void however_the_text_is_cut_into_pieces_the_blocks_are_the_same(string document)
    {
        var (whole, wholeTail) = Split(document);
        var random = new Random(document.Length);
        for (var round = 0; round < 30; round++)
        {
            var pieces = new List<string>();
            for (var at = 0; at < document.Length;)
            {
                var size = Math.Min(document.Length - at, round == 0 ? 1 : random.Next(1, 12));
                pieces.Add(document.Substring(at, size));
                at += size;
            }
            var (blocks, tail) = Split([.. pieces]);
            Assert.Equal(whole, blocks);
            Assert.Equal(wholeTail, tail);
        }
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void the_blocks_and_the_tail_are_the_text_without_the_blank_lines_between_blocks(string document)
    {
        var (blocks, tail) = Split(document);

        Assert.NotEmpty(blocks);
        Assert.Equal(Squeeze(document), Squeeze(string.Concat(blocks) + tail));
    }

    private static string Squeeze(string text) =>
        string.Join('\n', text.Replace("\r", "").Split('\n').Where(line => !string.IsNullOrWhiteSpace(line)));
}
