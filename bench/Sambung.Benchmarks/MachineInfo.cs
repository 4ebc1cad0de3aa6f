using System.Runtime;
using System.Runtime.InteropServices;

namespace Sambung.Benchmarks;

public static class MachineInfo
{
    public static async Task PrintAsync(BenchContext ctx, IReadOnlyList<string> scenarios)
    {
        Markdown.Heading(1, $"Sambung benchmarks{(ctx.Quick ? " (--quick: reduced sizes, a smoke run only)" : "")}");
        var settings = new List<string[]>
        {
            new[] { "date (UTC)", DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm") },
            new[] { "scenarios", string.Join(", ", scenarios) },
            new[] { "CPU", CpuModel() },
            new[] { "cores (visible to .NET)", Environment.ProcessorCount.ToString() },
            new[] { "RAM", MemTotal() },
            new[] { "OS", RuntimeInformation.OSDescription },
            new[] { ".NET", $"{RuntimeInformation.FrameworkDescription}, {(GCSettings.IsServerGC ? "server" : "workstation")} GC" },
            new[] { "PostgreSQL", await ctx.ScalarAsync<string>("select version()") },
        };
        foreach (var setting in new[] { "synchronous_commit", "fsync", "shared_buffers", "work_mem", "maintenance_work_mem", "effective_cache_size", "jit" })
            settings.Add([setting, await ctx.ScalarAsync<string>($"show {setting}")]);
        Markdown.Table(["", "value"], settings);
        Markdown.Line("PostgreSQL runs on the same machine (same cores) as the benchmark process.");
    }

    // Other work on the machine competes for the same 2 cores: printed with every scenario.
    public static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "?"; }
    }

    private static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name"));
            return line is null ? RuntimeInformation.ProcessArchitecture.ToString() : line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { return RuntimeInformation.ProcessArchitecture.ToString(); }
    }

    private static string MemTotal()
    {
        try
        {
            var line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:"));
            if (line is not null && long.TryParse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], out var kb))
                return $"{kb / 1024.0 / 1024.0:0.0} GiB";
        }
        catch (IOException) { }
        return $"{GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1024.0 / 1024 / 1024:0.0} GiB (as seen by the GC)";
    }
}
