using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Sambung.Web.Features.Providers;

// What we know about a model without asking: context window, output limit and price per million tokens (USD).
public sealed record ModelInfo(string Id, int? ContextWindow = null, int? MaxOutputTokens = null, decimal? InputPrice = null, decimal? OutputPrice = null);

public sealed record ModelListing(IReadOnlyList<ModelInfo> Models, string? Error, DateTimeOffset At);

// An admin's changes to the built-in catalogue: entries that replace a built-in model's figures or add a model.
public sealed class ModelCatalogueEdits
{
    public const string DocumentId = "model-catalogue";
    public string Id { get; set; } = DocumentId;
    public List<ModelInfo> Entries { get; set; } = [];
}

// A catalogue entry as the admin page shows it.
public sealed record CatalogueEntry(ModelInfo Info, bool BuiltIn, bool Edited);

// Models per connection: listed live from the provider (cached for ten minutes, refreshable) and merged with a
// built-in catalogue of well-known models.
public sealed class ModelCatalogue(ProviderKeys keys, ProviderHttp http, TimeProvider clock, Marten.IDocumentStore store)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan ListTimeout = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, ModelListing> cache = new();

    public static readonly IReadOnlyDictionary<string, ModelInfo> BuiltIn = new[]
    {
        new ModelInfo("gpt-4o", 128_000, 16_384, 2.50m, 10.00m),
        new ModelInfo("gpt-4o-mini", 128_000, 16_384, 0.15m, 0.60m),
        new ModelInfo("gpt-4.1", 1_047_576, 32_768, 2.00m, 8.00m),
        new ModelInfo("gpt-4.1-mini", 1_047_576, 32_768, 0.40m, 1.60m),
        new ModelInfo("o4-mini", 200_000, 100_000, 1.10m, 4.40m),
        new ModelInfo("claude-sonnet-4-5", 200_000, 64_000, 3.00m, 15.00m),
        new ModelInfo("claude-opus-4-1", 200_000, 32_000, 15.00m, 75.00m),
        new ModelInfo("claude-haiku-4-5", 200_000, 64_000, 1.00m, 5.00m),
        new ModelInfo("gemini-2.5-pro", 1_048_576, 65_536, 1.25m, 10.00m),
        new ModelInfo("gemini-2.5-flash", 1_048_576, 65_536, 0.30m, 2.50m),
        new ModelInfo("llama-3.3-70b-versatile", 131_072, 32_768, 0.59m, 0.79m),
        new ModelInfo("llama-3.1-8b-instant", 131_072, 131_072, 0.05m, 0.08m),
    }.ToDictionary(m => m.Id);

    public static string SuggestedModel(ProviderKind kind) => kind switch
    {
        ProviderKind.Anthropic => "claude-sonnet-4-5",
        ProviderKind.Gemini => "gemini-2.5-flash",
        ProviderKind.Groq => "llama-3.3-70b-versatile",
        ProviderKind.OpenRouter => "openai/gpt-4o-mini",
        ProviderKind.Ollama => "llama3.2",
        _ => "gpt-4o-mini",
    };

    public static ModelInfo Describe(string model) => BuiltIn.TryGetValue(model, out var info) ? info : new ModelInfo(model);

    // The built-in catalogue with the admin's edits laid over it, sorted by model id.
    public async Task<IReadOnlyList<CatalogueEntry>> EntriesAsync(CancellationToken ct)
    {
        var edits = await EditsAsync(ct);
        var edited = edits.Entries.ToDictionary(e => e.Id);
        return BuiltIn.Values.Select(b => edited.TryGetValue(b.Id, out var e) ? new CatalogueEntry(e, true, true) : new CatalogueEntry(b, true, false))
            .Concat(edits.Entries.Where(e => !BuiltIn.ContainsKey(e.Id)).Select(e => new CatalogueEntry(e, false, true)))
            .OrderBy(e => e.Info.Id, StringComparer.OrdinalIgnoreCase)
            .ToList();
    }

    // What the catalogue says of a model (context window, limits, prices), the admin's edits first.
    public async Task<ModelInfo> DescribeAsync(string model, CancellationToken ct) =>
        (await EditsAsync(ct)).Entries.FirstOrDefault(e => e.Id == model) ?? Describe(model);

    // Saves an entry (a built-in model's new figures, or a new model).
    public async Task SaveAsync(ModelInfo entry, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var edits = await session.LoadAsync<ModelCatalogueEdits>(ModelCatalogueEdits.DocumentId, ct) ?? new();
        edits.Entries.RemoveAll(e => e.Id == entry.Id);
        edits.Entries.Add(entry);
        session.Store(edits);
        await session.SaveChangesAsync(ct);
    }

    // Removes the admin's entry: a built-in model goes back to its built-in figures, an added one leaves the catalogue.
    public async Task ResetAsync(string model, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        if (await session.LoadAsync<ModelCatalogueEdits>(ModelCatalogueEdits.DocumentId, ct) is not { } edits) return;
        edits.Entries.RemoveAll(e => e.Id == model);
        session.Store(edits);
        await session.SaveChangesAsync(ct);
    }

    private async Task<ModelCatalogueEdits> EditsAsync(CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return await session.LoadAsync<ModelCatalogueEdits>(ModelCatalogueEdits.DocumentId, ct) ?? new();
    }

    public async Task<ModelListing> ListAsync(ProviderConnection connection, bool refresh, CancellationToken ct)
    {
        var key = Key(connection);
        if (!refresh && cache.TryGetValue(key, out var cached) && clock.GetUtcNow() - cached.At < CacheFor) return cached;
        var listing = await FetchAsync(connection, ct);
        if (listing.Error is null) cache[key] = listing;
        return listing;
    }

    // The last good listing, if there is one and it is recent; never asks the provider.
    public ModelListing? Cached(ProviderConnection connection) =>
        cache.TryGetValue(Key(connection), out var cached) && clock.GetUtcNow() - cached.At < CacheFor ? cached : null;

    private static string Key(ProviderConnection connection) => $"{connection.Id}|{connection.EffectiveBaseUrl}";

    // "Test connection": the provider's model list, or its error in plain words, within ten seconds.
    public async Task<ModelListing> FetchAsync(ProviderConnection connection, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ListTimeout);
        try
        {
            var apiKey = keys.Reveal(connection);
            var baseUrl = connection.EffectiveBaseUrl.TrimEnd('/');
            using var request = ProviderKinds.ProtocolOf(connection.Kind) switch
            {
                Protocol.Ollama => new HttpRequestMessage(HttpMethod.Get, $"{baseUrl}/api/tags"),
                Protocol.Anthropic => new HttpRequestMessage(HttpMethod.Get, $"{baseUrl}/v1/models?limit=100"),
                _ => new HttpRequestMessage(HttpMethod.Get, $"{baseUrl}/models"),
            };
            if (ProviderKinds.ProtocolOf(connection.Kind) == Protocol.Anthropic)
            {
                request.Headers.Add("anthropic-version", "2023-06-01");
                if (apiKey is not null) request.Headers.Add("x-api-key", apiKey);
            }
            else if (apiKey is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);

            using var response = await http.For(connection).SendAsync(request, timeout.Token);
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            if (!response.IsSuccessStatusCode)
                return Failed(ProviderFailure.Of(new HttpRequestException(body.Length > 0 ? body : response.ReasonPhrase, null, response.StatusCode)));

            using var json = JsonDocument.Parse(body);
            var ids = ProviderKinds.ProtocolOf(connection.Kind) == Protocol.Ollama
                ? json.RootElement.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("name").GetString())
                : json.RootElement.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString());
            var models = ids.OfType<string>().Distinct().Order(StringComparer.Ordinal).Select(Describe).ToList();
            return new ModelListing(models, null, clock.GetUtcNow());
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return Failed(new ProviderFailure(ProviderFailure.Timeout, null, null, $"No answer within {ListTimeout.TotalSeconds:0} seconds."));
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or KeyNotFoundException or InvalidOperationException or IOException
            or System.Security.Cryptography.CryptographicException or UriFormatException)
        {
            return Failed(ProviderFailure.Of(e));
        }
    }

    private ModelListing Failed(ProviderFailure failure) => new([], $"{failure.Kind}|{failure.Detail}", clock.GetUtcNow());
}
