using System.Text.RegularExpressions;

namespace Sambung.Web.Features.Branching;

public enum DiffOp { Same, Removed, Added }

public sealed record DiffPiece(DiffOp Op, string Text);

// A word-level diff of two texts: words, runs of spaces and single punctuation marks are the tokens; the longest
// common subsequence of tokens is what stayed, the rest was removed (from the first) or added (in the second).
// Pure; the common start and end are cut off first, so two replies that differ in a sentence cost little.
public static partial class WordDiff
{
    // Beyond this many cells (tokens × tokens, after the common start and end) the middle is shown as replaced
    // whole: an exact diff of two very long, very different replies is not worth its memory.
    public const long MaxCells = 4_000_000;

    public static IReadOnlyList<DiffPiece> Diff(string first, string second)
    {
        var a = Tokens(first);
        var b = Tokens(second);
        var start = 0;
        while (start < a.Count && start < b.Count && a[start] == b[start]) start++;
        var end = 0;
        while (end < a.Count - start && end < b.Count - start && a[^(end + 1)] == b[^(end + 1)]) end++;

        var pieces = new List<DiffPiece>();
        Add(pieces, DiffOp.Same, a.Take(start));
        var middleA = a.Skip(start).Take(a.Count - start - end).ToList();
        var middleB = b.Skip(start).Take(b.Count - start - end).ToList();
        if ((long)middleA.Count * middleB.Count > MaxCells)
        {
            Add(pieces, DiffOp.Removed, middleA);
            Add(pieces, DiffOp.Added, middleB);
        }
        else Lcs(pieces, middleA, middleB);
        Add(pieces, DiffOp.Same, a.Skip(a.Count - end));
        return pieces;
    }

    public static List<string> Tokens(string text) => [.. TokenPattern().Matches(text).Select(m => m.Value)];

    // lengths[i, j]: the longest common subsequence of a[i..] and b[j..]; then one walk from the start.
    private static void Lcs(List<DiffPiece> pieces, List<string> a, List<string> b)
    {
        var width = b.Count + 1;
        var lengths = new int[(a.Count + 1) * width];
        for (var i = a.Count - 1; i >= 0; i--)
            for (var j = b.Count - 1; j >= 0; j--)
                lengths[i * width + j] = a[i] == b[j]
                    ? lengths[(i + 1) * width + j + 1] + 1
                    : Math.Max(lengths[(i + 1) * width + j], lengths[i * width + j + 1]);

        var (x, y) = (0, 0);
        while (x < a.Count && y < b.Count)
        {
            if (a[x] == b[y]) { Add(pieces, DiffOp.Same, [a[x]]); x++; y++; }
            else if (lengths[(x + 1) * width + y] >= lengths[x * width + y + 1]) { Add(pieces, DiffOp.Removed, [a[x]]); x++; }
            else { Add(pieces, DiffOp.Added, [b[y]]); y++; }
        }
        Add(pieces, DiffOp.Removed, a.Skip(x));
        Add(pieces, DiffOp.Added, b.Skip(y));
    }

    // Joins a piece to the one before when the operation is the same, so "a b c" removed is one piece, not five.
    private static void Add(List<DiffPiece> pieces, DiffOp op, IEnumerable<string> tokens)
    {
        var text = string.Concat(tokens);
        if (text.Length == 0) return;
        if (pieces.Count > 0 && pieces[^1].Op == op) pieces[^1] = pieces[^1] with { Text = pieces[^1].Text + text };
        else pieces.Add(new DiffPiece(op, text));
    }

    [GeneratedRegex(@"\s+|[\p{L}\p{M}\p{N}_]+|.", RegexOptions.Singleline)]
    private static partial Regex TokenPattern();
}
