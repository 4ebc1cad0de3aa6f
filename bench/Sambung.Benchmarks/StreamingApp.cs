using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Sambung.Benchmarks;

// The real app as a person runs it (the idea of tests/Sambung.BrowserTests/Support/RunningApp.cs, which the bench
// does not reference): its own process with Production settings on a free loopback port, against the bench
// database and the fake provider. A process of its own so that its CPU time and memory can be read apart from the
// load generator's.
public sealed class StreamingApp : IAsyncDisposable
{
    private readonly Process process;
    private readonly List<string> output = [];

    private StreamingApp(Process process, string baseUrl)
    {
        this.process = process;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }
    public int ProcessId => process.Id;

    // What the app logged (Warning and above): a failing reply logs here even when the client sees nothing wrong.
    public IReadOnlyList<string> Output
    {
        get { lock (output) return [.. output]; }
    }

    public static async Task<StreamingApp> StartAsync(string connectionString, string openAiBaseUrl)
    {
        var root = RepositoryRoot();
        // bin/<Configuration>/net10.0: the web app built with the same configuration as this program (it references it).
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var webProject = Path.Combine(root, "src", "Sambung.Web");
        var dll = Path.Combine(webProject, "bin", configuration, "net10.0", "Sambung.Web.dll");
        if (!File.Exists(dll))
            throw new BenchSetupException($"The web app was not found at {dll}: build it first (dotnet build src/Sambung.Web -c {configuration}).");

        var baseUrl = $"http://127.0.0.1:{FreePort()}";
        var start = new ProcessStartInfo("dotnet", [dll, "--contentRoot", webProject])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = webProject,
        };
        start.Environment["ASPNETCORE_URLS"] = baseUrl;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ConnectionStrings__Sambung"] = connectionString;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Sambung__SecureCookies"] = "false"; // plain HTTP on loopback
        start.Environment["OPENAI_BASE_URL"] = openAiBaseUrl;
        start.Environment["OPENAI_API_KEY"] = "bench-key";
        start.Environment["SAMBUNG_DEFAULT_MODEL"] = "fake-gpt";
        start.Environment["Sambung__AutoTitle"] = "false"; // a title request would be one more provider call per chat
        // One user posts every message of the run from 127.0.0.1: the limits meant for people must not refuse it.
        start.Environment["Sambung__RateLimits__SignInsPerMinute"] = "1000";
        start.Environment["Sambung__RateLimits__MessagesPerHour"] = "10000000";
        // SAMBUNG_BENCH_APP_ENV="Name=value;Name=value": settings for the app process only (to compare a setting's
        // effect in otherwise identical runs).
        foreach (var setting in (Environment.GetEnvironmentVariable("SAMBUNG_BENCH_APP_ENV") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries))
            if (setting.Split('=', 2) is [var name, var value]) start.Environment[name.Trim()] = value.Trim();

        var app = new StreamingApp(Process.Start(start)!, baseUrl);
        app.process.OutputDataReceived += (_, e) => app.Append(e.Data);
        app.process.ErrorDataReceived += (_, e) => app.Append(e.Data);
        app.process.BeginOutputReadLine();
        app.process.BeginErrorReadLine();
        try
        {
            await app.WaitUntilHealthyAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        return app;
    }

    // CPU time and resident memory (Process reads /proc/<pid>/stat and status on Linux; WorkingSet64 is VmRSS).
    public (TimeSpan Cpu, long Rss) Sample()
    {
        process.Refresh();
        return (process.TotalProcessorTime, process.WorkingSet64);
    }

    private async Task WaitUntilHealthyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
                throw new BenchSetupException($"The app exited ({process.ExitCode}):\n{string.Join('\n', Output.TakeLast(40))}");
            try
            {
                if ((await http.GetAsync($"{BaseUrl}/health")).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(200);
        }
        throw new BenchSetupException($"The app did not become healthy:\n{string.Join('\n', Output.TakeLast(40))}");
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (output) output.Add(line);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Sambung.sln"))) return dir.FullName;
        throw new BenchSetupException("Sambung.sln not found above " + AppContext.BaseDirectory);
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
    }
}

// The machine's CPU (all cores, from /proc/stat) and the processes that matter: the app, this one (the load
// generator and the fake provider) and PostgreSQL. Sampled every 250 ms for the peak of the app's memory and its
// thread count (a growing count means the thread pool was starved and added threads), and every second for the
// connections the app holds to the bench database (its Npgsql pool allows 100).
public sealed class StreamingResources : IAsyncDisposable
{
    private readonly StreamingApp app;
    private readonly Npgsql.NpgsqlDataSource db;
    private readonly Func<int> openStreams;
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;
    private readonly Lock gate = new();
    private (long Rss, int Open) peak, busiest;
    private int maxThreads, maxConnections, maxActive;

    public StreamingResources(StreamingApp app, Npgsql.NpgsqlDataSource db, Func<int> openStreams)
    {
        this.app = app;
        this.db = db;
        this.openStreams = openStreams;
        Start = Now();
        loop = Task.Run(SampleAsync);
    }

    public Snapshot Start { get; }

    public sealed record Snapshot(DateTime At, TimeSpan AppCpu, long AppRss, TimeSpan BenchCpu, TimeSpan PostgresCpu, long MachineBusy, long MachineTotal);

    public int MaxThreads
    {
        get { lock (gate) return maxThreads; }
    }

    // Connections to the bench database other than this sampler's (the app's, and the benchmark's idle ones).
    public (int Open, int Active) MaxConnections
    {
        get { lock (gate) return (maxConnections, maxActive); }
    }

    // The highest resident memory of the app seen, and how many streams were open at that moment.
    public (long Rss, int Open) Peak
    {
        get { lock (gate) return peak; }
    }

    // The sample with the most streams open, and the app's resident memory then.
    public (long Rss, int Open) Busiest
    {
        get { lock (gate) return busiest; }
    }

    public Snapshot Now()
    {
        var (cpu, rss) = app.Sample();
        var (busy, total) = MachineJiffies();
        using var self = Process.GetCurrentProcess();
        return new(DateTime.UtcNow, cpu, rss, self.TotalProcessorTime, PostgresCpu(), busy, total);
    }

    private async Task SampleAsync()
    {
        for (var tick = 0; !stop.IsCancellationRequested; tick++)
        {
            var open = openStreams();
            var (_, rss) = app.Sample();
            var threads = Threads(app.ProcessId);
            var (connections, active) = tick % 4 == 0 ? await ConnectionsAsync() : (0, 0);
            lock (gate)
            {
                if (rss > peak.Rss) peak = (rss, open);
                if (open > busiest.Open) busiest = (rss, open);
                maxThreads = Math.Max(maxThreads, threads);
                maxConnections = Math.Max(maxConnections, connections);
                maxActive = Math.Max(maxActive, active);
            }
            try { await Task.Delay(250, stop.Token); }
            catch (OperationCanceledException) { }
        }
    }

    private async Task<(int Open, int Active)> ConnectionsAsync()
    {
        try
        {
            await using var cmd = db.CreateCommand(
                "select count(*)::int, (count(*) filter (where state <> 'idle'))::int from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()");
            await using var reader = await cmd.ExecuteReaderAsync(stop.Token);
            return await reader.ReadAsync(stop.Token) ? (reader.GetInt32(0), reader.GetInt32(1)) : (0, 0);
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or OperationCanceledException)
        {
            return (0, 0);
        }
    }

    private static int Threads(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("Threads:"));
            return line is not null && int.TryParse(line["Threads:".Length..].Trim(), out var n) ? n : 0;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    // All processes named postgres (the server and one backend per connection): utime + stime, in clock ticks of
    // 1/100 s (CLK_TCK on Linux). A backend that exits between two samples takes its CPU time with it, so this is
    // a lower bound; pooled connections live for the whole run.
    private static TimeSpan PostgresCpu()
    {
        long ticks = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                if (!char.IsAsciiDigit(Path.GetFileName(dir)[0])) continue;
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var close = stat.LastIndexOf(')');
                if (close < 0 || !stat.AsSpan(0, close).EndsWith("(postgres")) continue;
                var fields = stat[(close + 2)..].Split(' ');
                ticks += long.Parse(fields[11]) + long.Parse(fields[12]); // fields 14 and 15 of stat: utime, stime
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { }
        }
        return TimeSpan.FromSeconds(ticks / 100.0);
    }

    // "cpu" line of /proc/stat: user nice system idle iowait irq softirq steal ...; busy is all but idle and iowait.
    private static (long Busy, long Total) MachineJiffies()
    {
        try
        {
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8).Select(long.Parse).ToArray();
            var total = fields.Sum();
            return (total - fields[3] - fields[4], total);
        }
        catch (IOException)
        {
            return (0, 0);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await loop;
        stop.Dispose();
    }
}
