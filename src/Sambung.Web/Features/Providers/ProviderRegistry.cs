using System.Security.Cryptography;
using System.Text;
using Marten;
using Sambung.Events.Conversations;

namespace Sambung.Web.Features.Providers;

public sealed class ProviderSettings
{
    public const string DocumentId = "providers";

    public string Id { get; set; } = DocumentId;
    public bool UserConnectionsAllowed { get; set; } = true;
    public string? DefaultModel { get; set; }
    public List<string> FallbackModels { get; set; } = [];
}

// Which connections a user may use: the instance's (environment, then admin-added) and, unless an admin forbids it,
// their own. A user's own connection of a kind overrides the instance's for references by kind ("openai").
//   Settings and stored connections are read on every reply, so they are kept in memory until a commit touches
// them (ProviderChanges, told by Marten after every commit in this process). Callers only read what is returned.
public sealed class ProviderRegistry(IDocumentStore store, IConfiguration config, ProviderChanges changes)
{
    private readonly IReadOnlyList<ProviderConnection> environment = FromEnvironment(config);

    public IReadOnlyList<ProviderConnection> EnvironmentConnections => environment;

    public ModelRef DefaultModel(ProviderSettings settings, IReadOnlyList<ProviderConnection> available)
    {
        var configured = ModelRefs.Parse(settings.DefaultModel)
            ?? ModelRefs.Parse(config["SAMBUNG_DEFAULT_MODEL"] is { Length: > 0 } m && m.Contains('|') ? m : null);
        if (configured is not null) return configured;
        var model = string.IsNullOrWhiteSpace(config["SAMBUNG_DEFAULT_MODEL"]) ? null : config["SAMBUNG_DEFAULT_MODEL"]!.Trim();
        var first = available.FirstOrDefault();
        return new(first?.Reference ?? ProviderKinds.Key(ProviderKind.OpenAI), model ?? ModelCatalogue.SuggestedModel(first?.Kind ?? ProviderKind.OpenAI));
    }

    public Task<ProviderSettings> SettingsAsync(CancellationToken ct) =>
        changes.GetOrLoadAsync("settings", async () =>
        {
            await using var session = store.QuerySession();
            return await session.LoadAsync<ProviderSettings>(ProviderSettings.DocumentId, ct) ?? new ProviderSettings();
        });

    public async Task<IReadOnlyList<ProviderConnection>> AvailableToAsync(string userId, CancellationToken ct)
    {
        var settings = await SettingsAsync(ct);
        var stored = await changes.GetOrLoadAsync<IReadOnlyList<ProviderConnection>>("connections:" + userId, async () =>
        {
            await using var session = store.QuerySession();
            return await session.Query<ProviderConnection>()
                .Where(c => c.OwnerId == null || c.OwnerId == userId)
                .OrderBy(c => c.CreatedAt)
                .ToListAsync(ct);
        });
        var own = settings.UserConnectionsAllowed ? stored.Where(c => c.OwnerId == userId) : [];
        return [.. own, .. environment, .. stored.Where(c => c.OwnerId is null)];
    }

    public async Task<ProviderConnection?> ResolveAsync(ModelRef model, string userId, CancellationToken ct) =>
        Resolve(model, await AvailableToAsync(userId, ct));

    // "c:<id>" names one connection; a kind ("openai") names the user's own of that kind first, else the instance's.
    // (The list is ordered: the user's own, then the environment's, then the admin's.)
    public static ProviderConnection? Resolve(ModelRef model, IReadOnlyList<ProviderConnection> available) =>
        ProviderKinds.Parse(model.Provider) is { } kind
            ? available.FirstOrDefault(c => c.Kind == kind)
            : available.FirstOrDefault(c => c.Reference == model.Provider);

    private static IReadOnlyList<ProviderConnection> FromEnvironment(IConfiguration config)
    {
        var list = new List<ProviderConnection>();
        void Add(ProviderKind kind, string? key, string? baseUrl)
        {
            if (string.IsNullOrWhiteSpace(key) && string.IsNullOrWhiteSpace(baseUrl)) return;
            list.Add(new ProviderConnection
            {
                Id = new Guid(SHA256.HashData(Encoding.UTF8.GetBytes("sambung-env:" + kind)).AsSpan(0, 16)),
                Kind = kind, Name = ProviderKinds.DisplayName(kind), FromEnvironment = true,
                BaseUrl = string.IsNullOrWhiteSpace(baseUrl) ? null : baseUrl.Trim(),
                EnvironmentKey = string.IsNullOrWhiteSpace(key) ? null : key.Trim(),
                KeyLast4 = string.IsNullOrWhiteSpace(key) ? null : ProviderConnection.Last4(key.Trim()),
            });
        }
        Add(ProviderKind.OpenAI, config["OPENAI_API_KEY"], config["OPENAI_BASE_URL"]);
        Add(ProviderKind.Anthropic, config["ANTHROPIC_API_KEY"], config["ANTHROPIC_BASE_URL"]);
        Add(ProviderKind.Gemini, config["GEMINI_API_KEY"], config["GEMINI_BASE_URL"]);
        Add(ProviderKind.Groq, config["GROQ_API_KEY"], config["GROQ_BASE_URL"]);
        Add(ProviderKind.OpenRouter, config["OPENROUTER_API_KEY"], config["OPENROUTER_BASE_URL"]);
        Add(ProviderKind.Ollama, null, config["OLLAMA_BASE_URL"]);
        return list;
    }
}

public static class ModelRefs
{
    // "provider|model", as form fields and settings carry a model.
    public static string Format(ModelRef model) => $"{model.Provider}|{model.Model}";

    public static ModelRef? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var parts = value.Split('|', 2);
        return parts.Length == 2 && parts[0].Length > 0 && parts[1].Length > 0 && parts[1].Length <= 200 ? new ModelRef(parts[0].Trim(), parts[1].Trim()) : null;
    }
}
