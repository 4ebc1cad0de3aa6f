using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Sambung.FakeProviders;

/// <summary>
/// A Kestrel server on http://127.0.0.1:{random port} that speaks three LLM wire protocols, scriptable per test:
/// <list type="bullet">
/// <item>OpenAI Chat Completions: <c>POST /v1/chat/completions</c>, <c>GET /v1/models</c>, <c>GET /v1/models/{id}</c>.</item>
/// <item>Anthropic Messages: <c>POST /v1/messages</c>, and <c>GET /v1/models</c>(<c>/{id}</c>) when the request carries
/// an <c>anthropic-version</c> header (or <c>x-api-key</c> without <c>Authorization</c>).</item>
/// <item>Ollama: <c>POST /api/chat</c>, <c>GET /api/tags</c>, <c>GET /api/version</c>, <c>GET /</c>.</item>
/// </list>
/// Every request is recorded (<see cref="Requests"/>). Each chat request takes the next queued <see cref="FakeReply"/>
/// (<see cref="Enqueue"/>) or <see cref="DefaultReply"/>. Invalid chat requests (not JSON, or missing a field the real
/// API requires such as Anthropic's <c>max_tokens</c>) get a 400 in the protocol's error shape and consume no reply;
/// unknown paths get a 404 in the protocol's error shape. All members are thread-safe.
/// </summary>
public sealed class FakeLlmServer : IAsyncDisposable
{
    /// <summary>The model ids listed by default (and restored by <see cref="Reset"/>).</summary>
    public static readonly IReadOnlyList<string> DefaultModels = ["fake-gpt", "fake-mini"];

    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly Queue<FakeReply> _queue = new();
    private readonly List<RecordedRequest> _requests = [];
    private readonly SynchronizedList<string> _models = new(DefaultModels);
    private FakeReply _defaultReply = new();
    private int _activeChats;
    private int _clientDisconnects;
    private int _disposed;

    private FakeLlmServer(WebApplication app)
    {
        _app = app;
        _app.Run(HandleAsync);
    }

    /// <summary>Starts a server bound to http://127.0.0.1:0 (a free port) and returns once it is listening.</summary>
    public static async Task<FakeLlmServer> StartAsync(CancellationToken ct = default)
    {
        // The empty builder reads no configuration (no ASPNETCORE_URLS, no appsettings.json, no Kestrel section),
        // so the host test process's environment cannot change where or how this server listens.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(FakeLlmServer).Assembly.GetName().Name });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(options =>
        {
            options.AddServerHeader = false;
            options.Limits.MinResponseDataRate = null;
            options.Limits.MinRequestBodyDataRate = null;
            options.Listen(IPAddress.Loopback, 0);
        });
        builder.WebHost.UseSockets(ConfigureSockets);
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));

        var server = new FakeLlmServer(builder.Build());
        try
        {
            await server._app.StartAsync(ct);
            var address = server._app.Services.GetRequiredService<IServer>().Features
                .GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
            server.BaseUrl = $"http://127.0.0.1:{new Uri(address).Port}";
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Makes <see cref="FakeReply.CutAfterChunks"/> deterministic: every chunk written before the cut reaches the client,
    /// which then sees the response end prematurely.
    /// <list type="number">
    /// <item>A write buffer of 2 bytes makes each FlushAsync complete only once the transport has handed the bytes
    /// to the socket; with the default 64 KiB buffer, an abort right after a flush discards what is still queued.</item>
    /// <item>Kestrel resets (RST) a connection aborted by <see cref="HttpContext.Abort"/>, and a client that has not yet
    /// read the bytes received before the reset loses them (observed on Linux: a cold HttpClient saw "connection reset"
    /// instead of the partial stream). Kestrel's opt-out (its internal <c>FinOnError</c> option, the
    /// per-server form of the process-wide AppContext switch "Microsoft.AspNetCore.Server.Kestrel.FinOnError") closes
    /// with a FIN instead. It is set on this server's options only; if a future Kestrel drops the property, the cut
    /// falls back to a short pause before the RST (see <see cref="ReplyContext.CutAsync"/>).</item>
    /// </list>
    /// </summary>
    private static void ConfigureSockets(SocketTransportOptions options)
    {
        options.MaxWriteBufferSize = 2;
        var finOnError = typeof(SocketTransportOptions)
            .GetProperty("FinOnError", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic);
        if (finOnError is { CanWrite: true } && finOnError.PropertyType == typeof(bool))
        {
            finOnError.SetValue(options, true);
            ReplyContext.AbortSendsFin = true;
        }
    }

    /// <summary>"http://127.0.0.1:PORT" (no trailing slash).</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary><see cref="BaseUrl"/> + "/v1": what an OpenAI SDK <c>Endpoint</c> (or OPENAI_BASE_URL) should be.</summary>
    public string OpenAIBaseUrl => BaseUrl + "/v1";

    /// <summary><see cref="BaseUrl"/>: the Anthropic SDK posts to {BaseUrl}/v1/messages.</summary>
    public string AnthropicBaseUrl => BaseUrl;

    /// <summary><see cref="BaseUrl"/>: Ollama clients post to {BaseUrl}/api/chat.</summary>
    public string OllamaBaseUrl => BaseUrl;

    /// <summary>The reply used when nothing is queued.</summary>
    public FakeReply DefaultReply
    {
        get { lock (_gate) { return _defaultReply; } }
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            lock (_gate) { _defaultReply = value; }
        }
    }

    /// <summary>Queues replies (FIFO); each chat request of any protocol takes the next one.</summary>
    public void Enqueue(params FakeReply[] replies)
    {
        ArgumentNullException.ThrowIfNull(replies);
        lock (_gate)
        {
            foreach (var reply in replies)
            {
                ArgumentNullException.ThrowIfNull(reply);
                _queue.Enqueue(reply);
            }
        }
    }

    /// <summary>How many queued replies have not been taken yet.</summary>
    public int PendingReplies { get { lock (_gate) { return _queue.Count; } } }

    /// <summary>A snapshot copy of every request received so far, in arrival order.</summary>
    public IReadOnlyList<RecordedRequest> Requests { get { lock (_gate) { return [.. _requests]; } } }

    /// <summary>Model ids listed by /v1/models (both shapes) and /api/tags. Thread-safe; may be edited by tests.</summary>
    public IList<string> Models => _models;

    /// <summary>Chat requests being answered right now (useful to see that a client cancelled an upstream stream).</summary>
    public int ActiveChatRequests => Volatile.Read(ref _activeChats);

    /// <summary>Chat replies that stopped early because the client went away (not counting <see cref="FakeReply.CutAfterChunks"/>).</summary>
    public int ClientDisconnects => Volatile.Read(ref _clientDisconnects);

    /// <summary>Clears the queue and the recorded requests, and restores <see cref="DefaultReply"/>, <see cref="Models"/> and the counters.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _queue.Clear();
            _requests.Clear();
            _defaultReply = new FakeReply();
            _models.ReplaceAll(DefaultModels);
            Interlocked.Exchange(ref _clientDisconnects, 0);
        }
    }

    /// <summary>Stops the server. Streams in progress are aborted rather than waited for.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _stopping.CancelAsync();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            try
            {
                await _app.StopAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                // Kestrel aborts whatever is left when the token fires.
            }
        }
        await _app.DisposeAsync();
        _stopping.Dispose();
    }

    private FakeReply TakeReply()
    {
        lock (_gate)
        {
            return _queue.TryDequeue(out var reply) ? reply : _defaultReply;
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var receivedAt = DateTimeOffset.UtcNow;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        var ct = linked.Token;
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        var method = request.Method;
        try
        {
            string body;
            using (var reader = new StreamReader(request.Body, Encoding.UTF8))
            {
                body = await reader.ReadToEndAsync(ct);
            }
            var headers = request.Headers.ToDictionary(
                h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            var protocol = Classify(path, request.Headers);
            lock (_gate)
            {
                _requests.Add(new RecordedRequest(protocol, method, path, headers, body, receivedAt)
                {
                    QueryString = request.QueryString.Value ?? "",
                });
            }

            switch (method, path)
            {
                case ("POST", "/v1/chat/completions"):
                    await ChatAsync(context, body, OpenAIProtocol.Validate, OpenAIProtocol.ChatAsync,
                        m => OpenAIProtocol.Error(400, m), "fake-gpt", ct);
                    break;
                case ("POST", "/v1/messages"):
                    await ChatAsync(context, body, AnthropicProtocol.Validate, AnthropicProtocol.ChatAsync,
                        m => AnthropicProtocol.Error(400, m), "fake-gpt", ct);
                    break;
                case ("POST", "/api/chat"):
                    await ChatAsync(context, body, OllamaProtocol.Validate, OllamaProtocol.ChatAsync,
                        OllamaProtocol.Error, "fake-gpt", ct);
                    break;
                case ("GET", "/v1/models"):
                    await ReplyJsonAsync(context, 200, protocol == AnthropicProtocol.Name
                        ? AnthropicProtocol.ModelList(_models.Snapshot())
                        : OpenAIProtocol.ModelList(_models.Snapshot()), ct);
                    break;
                case ("GET", _) when path.StartsWith("/v1/models/", StringComparison.Ordinal):
                    await GetModelAsync(context, protocol, Uri.UnescapeDataString(path["/v1/models/".Length..]), ct);
                    break;
                case ("GET", "/api/tags"):
                    await ReplyJsonAsync(context, 200, OllamaProtocol.Tags(_models.Snapshot()), ct);
                    break;
                case ("GET", "/api/version"):
                    await ReplyJsonAsync(context, 200, new JsonObject { ["version"] = "0.0.0-fake" }, ct);
                    break;
                case ("GET" or "HEAD", "/"):
                    context.Response.ContentType = "text/plain; charset=utf-8";
                    await context.Response.WriteAsync("Ollama is running", ct);
                    break;
                default:
                    await ReplyJsonAsync(context, 404, NotFound(protocol, method, path), ct);
                    break;
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            if (_stopping.IsCancellationRequested)
            {
                // The server is shutting down: drop the connection instead of waiting for the reply to finish.
                context.Abort();
            }
        }
        catch (IOException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away while its body was being read or a reply was being written.
        }
    }

    private async Task ChatAsync(
        HttpContext context,
        string body,
        Func<JsonObject, string?> validate,
        Func<ReplyContext, Task> play,
        Func<string, JsonObject> badRequest,
        string defaultModel,
        CancellationToken ct)
    {
        JsonObject? json;
        try
        {
            json = JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
            json = null;
        }
        if (json is null)
        {
            await ReplyJsonAsync(context, 400, badRequest("The request body is not a valid JSON object."), ct);
            return;
        }
        if (validate(json) is { } problem)
        {
            await ReplyJsonAsync(context, 400, badRequest(problem), ct);
            return;
        }

        var reply = new ReplyContext(context, TakeReply(), json, defaultModel, ct);
        Interlocked.Increment(ref _activeChats);
        try
        {
            await play(reply);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException
            && context.RequestAborted.IsCancellationRequested && !_stopping.IsCancellationRequested && !reply.WasCut)
        {
            // Counted before the active count drops, so a test that sees no active chat also sees the disconnect.
            Interlocked.Increment(ref _clientDisconnects);
            throw;
        }
        finally
        {
            Interlocked.Decrement(ref _activeChats);
        }
    }

    private Task GetModelAsync(HttpContext context, string protocol, string id, CancellationToken ct)
    {
        var known = _models.Contains(id);
        return protocol == AnthropicProtocol.Name
            ? ReplyJsonAsync(context, known ? 200 : 404, known
                ? AnthropicProtocol.ModelObject(id)
                : AnthropicProtocol.Error(404, $"model: {id}"), ct)
            : ReplyJsonAsync(context, known ? 200 : 404, known
                ? OpenAIProtocol.ModelObject(id)
                : OpenAIProtocol.Error(404, $"The model '{id}' does not exist", "model_not_found", "model"), ct);
    }

    private static Task ReplyJsonAsync(HttpContext context, int status, JsonNode body, CancellationToken ct) =>
        ReplyContext.WriteJsonAsync(context, status, body, ct);

    private static JsonObject NotFound(string protocol, string method, string path)
    {
        var message = $"Unknown request URL: {method} {path}.";
        return protocol switch
        {
            AnthropicProtocol.Name => AnthropicProtocol.Error(404, message),
            OllamaProtocol.Name => OllamaProtocol.Error("404 page not found"),
            _ => OpenAIProtocol.Error(404, message, code: "unknown_url"),
        };
    }

    /// <summary>Which provider a request is meant for, from its path and, for the shared /v1/models, its headers.</summary>
    internal static string Classify(string path, IHeaderDictionary headers)
    {
        if (path == "/" || path.StartsWith("/api/", StringComparison.Ordinal))
        {
            return OllamaProtocol.Name;
        }
        if (path == "/v1/messages" || path.StartsWith("/v1/messages/", StringComparison.Ordinal))
        {
            return AnthropicProtocol.Name;
        }
        if (path == "/v1/chat/completions")
        {
            return OpenAIProtocol.Name;
        }
        var anthropicHeaders = headers.ContainsKey("anthropic-version")
            || (headers.ContainsKey("x-api-key") && !headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase));
        return anthropicHeaders ? AnthropicProtocol.Name : OpenAIProtocol.Name;
    }
}
