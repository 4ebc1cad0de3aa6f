using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Sambung.Benchmarks;

// The least any gateway in its own process adds: a bare relay that passes the OpenAI chat-completions request to
// the provider and copies its streamed answer back, chunk by chunk, with nothing else (no sign-in, no database, no
// parsing). The streaming scenario runs it as a second process, as the app is, so its figure is the floor of the
// cross-process hops on this machine: what Sambung adds beyond it is Sambung's own work.
public sealed class BareRelay : IAsyncDisposable
{
    private readonly Process process;

    public string BaseUrl { get; }

    private BareRelay(Process process, string baseUrl) => (this.process, BaseUrl) = (process, baseUrl);

    // In the child process: serve until killed.
    public static async Task<int> ServeAsync(string url, string upstream)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(url);
        var app = builder.Build();
        var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan, MaxConnectionsPerServer = int.MaxValue })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        app.MapGet("/health", () => "ok");
        app.MapPost("/v1/chat/completions", async (HttpContext context) =>
        {
            var ct = context.RequestAborted;
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, ct);
            using var request = new HttpRequestMessage(HttpMethod.Post, upstream.TrimEnd('/') + "/chat/completions")
            {
                Content = new ByteArrayContent(body.ToArray()),
            };
            request.Content.Headers.ContentType = new("application/json");
            request.Headers.TryAddWithoutValidation("Authorization", context.Request.Headers.Authorization.ToString());
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            context.Response.StatusCode = (int)response.StatusCode;
            context.Response.ContentType = response.Content.Headers.ContentType?.ToString();
            await using var stream = await response.Content.ReadAsStreamAsync(ct);
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(buffer, ct)) > 0)
            {
                await context.Response.Body.WriteAsync(buffer.AsMemory(0, read), ct);
                await context.Response.Body.FlushAsync(ct);
            }
        });
        await app.RunAsync();
        return 0;
    }

    // In the benchmark: this program started again as the relay, in front of the fake provider.
    public static async Task<BareRelay> StartAsync(string upstream)
    {
        var url = $"http://127.0.0.1:{StreamingApp.FreePort()}";
        var self = Environment.ProcessPath!.EndsWith("dotnet", StringComparison.Ordinal)
            ? new ProcessStartInfo("dotnet", [typeof(BareRelay).Assembly.Location, "relay", url, upstream])
            : new ProcessStartInfo(Environment.ProcessPath, ["relay", url, upstream]);
        self.RedirectStandardOutput = self.RedirectStandardError = true;
        var relay = new BareRelay(Process.Start(self)!, url + "/v1");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var deadline = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < deadline; await Task.Delay(100))
        {
            if (relay.process.HasExited) break;
            try
            {
                if ((await http.GetAsync(url + "/health")).StatusCode == HttpStatusCode.OK) return relay;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
        }
        await relay.DisposeAsync();
        throw new BenchSetupException("The bare relay did not start.");
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
