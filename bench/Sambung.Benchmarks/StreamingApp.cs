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

    private static int FreePort()
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

// The machine's CPU (all cores, from /proc/stat) and the two processes that matter: the app, and this one (the
// load generator and the fake provider). Sampled every 250 ms for the peak of the app's memory.
public sealed class StreamingResources : IAsyncDisposable
{
    private readonly StreamingApp app;
    private readonly Func<int> openStreams;
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;
    private readonly Lock gate = new();
    private (long Rss, int Open) peak, busiest;

    public StreamingResources(StreamingApp app, Func<int> openStreams)
    {
        this.app = app;
        this.openStreams = openStreams;
        Start = Now();
        loop = Task.Run(SampleAsync);
    }

    public Snapshot Start { get; }

    public sealed record Snapshot(DateTime At, TimeSpan AppCpu, long AppRss, TimeSpan BenchCpu, long MachineBusy, long MachineTotal);

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
        return new(DateTime.UtcNow, cpu, rss, self.TotalProcessorTime, busy, total);
    }

    private async Task SampleAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            var open = openStreams();
            var (_, rss) = app.Sample();
            lock (gate)
            {
                if (rss > peak.Rss) peak = (rss, open);
                if (open > busiest.Open) busiest = (rss, open);
            }
            try { await Task.Delay(250, stop.Token); }
            catch (OperationCanceledException) { }
        }
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
