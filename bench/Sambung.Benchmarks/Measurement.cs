using System.Diagnostics;
using System.Globalization;

namespace Sambung.Benchmarks;

// Latencies of one case, in milliseconds.
public sealed class Samples(string name)
{
    private readonly List<double> millis = [];

    public string Name => name;
    public int Count => millis.Count;
    public double Mean => millis.Count == 0 ? double.NaN : millis.Average();
    public double Max => millis.Count == 0 ? double.NaN : millis.Max();

    public void Add(TimeSpan elapsed) => millis.Add(elapsed.TotalMilliseconds);

    // Nearest-rank percentile.
    public double Percentile(double p)
    {
        if (millis.Count == 0) return double.NaN;
        var sorted = millis.Order().ToList();
        var rank = (int)Math.Ceiling(p / 100 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }
}

public static class Timing
{
    public static async Task<TimeSpan> TimeAsync(Func<Task> action)
    {
        var watch = Stopwatch.StartNew();
        await action();
        return watch.Elapsed;
    }
}

// Everything is printed as markdown, so a run's output can be pasted into docs/benchmarks.md as it is.
public static class Markdown
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static void Heading(int level, string text)
    {
        Console.WriteLine();
        Console.WriteLine($"{new string('#', level)} {text}");
        Console.WriteLine();
    }

    public static void Line(string text) => Console.WriteLine(text);

    public static void Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        Console.WriteLine();
        Console.WriteLine("| " + string.Join(" | ", headers) + " |");
        Console.WriteLine("|" + string.Join("|", headers.Select((_, i) => i == 0 ? "---" : "---:")) + "|");
        foreach (var row in rows) Console.WriteLine("| " + string.Join(" | ", row) + " |");
        Console.WriteLine();
    }

    public static void Latencies(IEnumerable<Samples> cases, string? goal = null) =>
        Table(["case", "n", "p50 ms", "p90 ms", "p99 ms", "mean ms", "max ms", .. goal is null ? Array.Empty<string>() : ["goal"]],
            cases.Select(s => (IReadOnlyList<string>)
            [
                s.Name, s.Count.ToString(Invariant), Ms(s.Percentile(50)), Ms(s.Percentile(90)), Ms(s.Percentile(99)), Ms(s.Mean), Ms(s.Max),
                .. goal is null ? Array.Empty<string>() : [goal],
            ]));

    public static void Code(IEnumerable<string> lines)
    {
        Console.WriteLine();
        Console.WriteLine("```");
        foreach (var line in lines) Console.WriteLine(line);
        Console.WriteLine("```");
        Console.WriteLine();
    }

    public static string Ms(double millis) => double.IsNaN(millis) ? "–" : millis.ToString(millis < 100 ? "0.00" : "0", Invariant);

    public static string Number(double value) => value.ToString("#,0", Invariant);

    public static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.0", Invariant) + " s";

    public static string Megabytes(long bytes) =>
        bytes < 1024 * 1024 ? (bytes / 1024.0).ToString("0.0", Invariant) + " KB" : (bytes / 1024.0 / 1024.0).ToString("0.0", Invariant) + " MB";
}
