namespace Sambung.Web.Features.Rendering;

// Markdown that is still being written, split into finished blocks (nothing that follows can change how they render)
// and the unfinished tail. A block ends at a blank line outside a fenced block, or at the closing fence of a code
// block that stands on its own. Lists and indented code may go on after a blank line, so a blank line ends them
// only once the next line is known to start something else. When unsure it waits: a block shown as text a little
// longer costs nothing, a block cut too early would be drawn wrong until the final render.
// Pure and incremental: every character is examined once, and only the tail is kept.
public sealed class MarkdownBlocks
{
    private char[] buffer = new char[256];
    private int length;          // characters in buffer; buffer[0] is the first character of the unfinished block
    private int examined;        // lines before this index have been examined (only complete lines are)
    private int searched;        // no line break between examined and this index
    private bool hasText;        // the unfinished block has a non-blank line
    private bool mayContinue;    // ... and it is a list or indented code, which a blank line does not end by itself
    private int? blankAt;        // where the blank line(s) after such a block begin, until the next line decides
    private Fence? fence;        // inside a fenced code or math block

    private sealed record Fence(char Marker, int Length, bool StandsAlone);

    // The text not yet part of a finished block.
    public string Tail => new(buffer, 0, length);

    // Adds text and returns the markdown of each block that this text finished, in order.
    public IReadOnlyList<string> Append(string text)
    {
        EnsureRoom(text.Length);
        text.CopyTo(buffer.AsSpan(length));
        length += text.Length;

        List<string>? finished = null;
        while (true)
        {
            var newline = buffer.AsSpan(searched, length - searched).IndexOf('\n');
            if (newline < 0)
            {
                searched = length; // a long line arriving in many pieces is still searched once
                break;
            }
            var start = examined;
            examined = searched = searched + newline + 1;
            if (Examine(start, examined) is { } cut)
            {
                if (cut.End > 0) (finished ??= []).Add(new string(buffer, 0, cut.End));
                Drop(cut.Next);
            }
        }
        // After a list and a blank line, a line being written that cannot be a list item or a continuation (it
        // starts with neither a marker, a digit, '>' nor indentation) ends the list now rather than at its end.
        if (blankAt is { } blank && examined < length && buffer[examined] is var c
            && !char.IsWhiteSpace(c) && !char.IsAsciiDigit(c) && c is not ('-' or '*' or '+' or '>'))
        {
            (finished ??= []).Add(new string(buffer, 0, blank));
            ResetBlock();
            Drop(examined);
        }
        return finished ?? (IReadOnlyList<string>)[];
    }

    // The finished block is [0, End); the unfinished one starts at Next.
    private readonly record struct Cut(int End, int Next);

    // One complete line [start, end); returns where to cut when it finishes a block.
    private Cut? Examine(int start, int end)
    {
        var line = buffer.AsSpan(start, end - start).TrimEnd("\r\n");

        if (fence is { } open)
        {
            if (!Closes(line, open)) return null;
            fence = null;
            // A code block standing on its own is finished at its closing fence; one inside a list item is not.
            if (!open.StandsAlone || mayContinue) return null;
            ResetBlock();
            return new Cut(end, end);
        }

        if (line.IsWhiteSpace())
        {
            if (!hasText) return new Cut(0, end); // blank lines before a block belong to nobody
            if (mayContinue)
            {
                blankAt ??= start;
                return null;
            }
            ResetBlock();
            return new Cut(start, end);
        }

        Cut? cut = null;
        if (blankAt is { } blank)
        {
            // The line after a list (or indented code) and a blank line: more of it, or something new?
            if (IsListItem(line) || char.IsWhiteSpace(line[0]))
                blankAt = null;
            else
            {
                cut = new Cut(blank, start);
                ResetBlock();
            }
        }

        var first = !hasText;
        hasText = true;
        if (IsListItem(line) || (first && IndentOf(line) >= 4)) mayContinue = true;
        fence = Opens(line);
        return cut;
    }

    // A fence that opens here, after any blockquote markers, list markers and indentation. It "stands alone" when it
    // is not inside a container: then its closing line finishes the block.
    private static Fence? Opens(ReadOnlySpan<char> line)
    {
        var content = StripContainers(line, out var contained);
        var standsAlone = !contained && IndentOf(line) < 4;
        if (content.StartsWith("$$"))
        {
            // "$$x$$" on one line is inline math; a lone "$$" (or "$$ x") opens a math block.
            var rest = content[2..].Trim();
            return rest.Contains("$$", StringComparison.Ordinal) ? null : new Fence('$', 2, standsAlone);
        }
        var marker = content.IsEmpty ? '\0' : content[0];
        if (marker is not ('`' or '~')) return null;
        var run = content.Length - content.TrimStart(marker).Length;
        if (run < 3) return null;
        // A backtick fence's info string has no backticks (otherwise it is inline code: ```x```).
        if (marker == '`' && content[run..].Contains('`')) return null;
        return new Fence(marker, run, standsAlone);
    }

    private static bool Closes(ReadOnlySpan<char> line, Fence fence)
    {
        var content = StripContainers(line, out _);
        if (fence.Marker == '$') return content.StartsWith("$$");
        var run = content.Length - content.TrimStart(fence.Marker).Length;
        return run >= fence.Length && content[run..].IsWhiteSpace();
    }

    // Drops indentation, blockquote markers and list markers from the start of a line.
    private static ReadOnlySpan<char> StripContainers(ReadOnlySpan<char> line, out bool contained)
    {
        contained = false;
        while (true)
        {
            line = line.TrimStart(" \t");
            if (line.StartsWith(">"))
            {
                line = line[1..];
                contained = true;
            }
            else if (ListMarkerLength(line) is var marker and > 0)
            {
                line = line[marker..];
                contained = true;
            }
            else return line;
        }
    }

    private static bool IsListItem(ReadOnlySpan<char> line) =>
        ListMarkerLength(StripQuotes(line.TrimStart(" \t")).TrimStart(" \t")) > 0;

    private static ReadOnlySpan<char> StripQuotes(ReadOnlySpan<char> line)
    {
        while (line.StartsWith(">")) line = line[1..].TrimStart(" \t");
        return line;
    }

    // "- ", "* ", "+ ", "1. ", "1) " (or the marker alone at the end of the line): its length, otherwise 0.
    private static int ListMarkerLength(ReadOnlySpan<char> line)
    {
        var digits = 0;
        while (digits < line.Length && digits < 9 && char.IsAsciiDigit(line[digits])) digits++;
        var marker = digits > 0
            ? (digits < line.Length && line[digits] is '.' or ')' ? digits + 1 : 0)
            : (line.Length > 0 && line[0] is '-' or '*' or '+' ? 1 : 0);
        if (marker == 0) return 0;
        return marker == line.Length || line[marker] is ' ' or '\t' ? marker : 0;
    }

    private static int IndentOf(ReadOnlySpan<char> line)
    {
        var columns = 0;
        foreach (var c in line)
        {
            if (c == ' ') columns++;
            else if (c == '\t') columns += 4 - columns % 4;
            else break;
        }
        return columns;
    }

    private void ResetBlock()
    {
        hasText = false;
        mayContinue = false;
        blankAt = null;
        fence = null;
    }

    // Forgets everything before `next` (a finished block and the blank lines after it).
    private void Drop(int next)
    {
        if (next > 0)
        {
            Array.Copy(buffer, next, buffer, 0, length - next);
            length -= next;
            examined -= next;
            searched -= next;
        }
        blankAt -= next;
    }

    private void EnsureRoom(int more)
    {
        if (length + more <= buffer.Length) return;
        Array.Resize(ref buffer, Math.Max(buffer.Length * 2, length + more));
    }
}
