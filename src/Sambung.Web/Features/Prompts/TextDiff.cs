namespace Sambung.Web.Features.Prompts;

public enum DiffKind { Same, Removed, Added }

public sealed record DiffLine(DiffKind Kind, string Text);

// A line diff between two versions of a prompt (longest common subsequence). Prompts are at most 20,000
// characters, but a pathological pair could still make the table large: past a budget of cells the changed middle
// is shown as all removed, then all added, which is correct, just less precise.
public static class TextDiff
{
    public const int MaxCells = 4_000_000;

    public static IReadOnlyList<DiffLine> Lines(string before, string after)
    {
        var a = Split(before);
        var b = Split(after);
        var start = 0;
        while (start < a.Length && start < b.Length && a[start] == b[start]) start++;
        var endA = a.Length;
        var endB = b.Length;
        while (endA > start && endB > start && a[endA - 1] == b[endB - 1])
        {
            endA--;
            endB--;
        }

        var result = new List<DiffLine>();
        for (var i = 0; i < start; i++) result.Add(new(DiffKind.Same, a[i]));
        var n = endA - start;
        var m = endB - start;
        if ((long)n * m > MaxCells)
        {
            for (var i = start; i < endA; i++) result.Add(new(DiffKind.Removed, a[i]));
            for (var j = start; j < endB; j++) result.Add(new(DiffKind.Added, b[j]));
        }
        else
        {
            // lcs[i, j]: the common length of a[start+i..endA) and b[start+j..endB).
            var lcs = new int[n + 1, m + 1];
            for (var i = n - 1; i >= 0; i--)
                for (var j = m - 1; j >= 0; j--)
                    lcs[i, j] = a[start + i] == b[start + j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            int x = 0, y = 0;
            while (x < n || y < m)
            {
                if (x < n && y < m && a[start + x] == b[start + y])
                {
                    result.Add(new(DiffKind.Same, a[start + x]));
                    x++;
                    y++;
                }
                else if (x < n && (y == m || lcs[x + 1, y] >= lcs[x, y + 1]))
                    result.Add(new(DiffKind.Removed, a[start + x++]));
                else
                    result.Add(new(DiffKind.Added, b[start + y++]));
            }
        }
        for (var i = endA; i < a.Length; i++) result.Add(new(DiffKind.Same, a[i]));
        return result;
    }

    private static string[] Split(string text) => text.Length == 0 ? [] : text.Replace("\r\n", "\n").Split('\n');
}
