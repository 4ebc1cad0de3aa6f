using System.ClientModel;
using System.Collections.Concurrent;
using Microsoft.Extensions.AI;
using OpenAI;
using Sambung.Events.Conversations;

namespace Sambung.Web.Features.Providers;

// The instance's provider connections, read from the environment. For now: OpenAI and any OpenAI-compatible
// server (OPENAI_BASE_URL). Every provider is an IChatClient, so the rest of the app never sees an SDK.
public sealed class ChatProviders(IConfiguration config)
{
    public const string OpenAI = "openai";

    private readonly ConcurrentDictionary<string, IChatClient> clients = new();

    public ModelRef DefaultModel { get; } =
        new(OpenAI, NullIfBlank(config["SAMBUNG_DEFAULT_MODEL"]) ?? NullIfBlank(config["Sambung:DefaultModel"]) ?? "gpt-4o-mini");

    public bool IsConfigured(string provider) => provider == OpenAI && (OpenAIKey is not null || OpenAIBaseUrl is not null);

    private string? OpenAIKey => NullIfBlank(config["OPENAI_API_KEY"]);

    private string? OpenAIBaseUrl => NullIfBlank(config["OPENAI_BASE_URL"]);

    public IChatClient? ClientFor(ModelRef model)
    {
        if (!IsConfigured(model.Provider)) return null;
        return clients.GetOrAdd($"{model.Provider}/{model.Model}", _ =>
        {
            var options = new OpenAIClientOptions();
            if (OpenAIBaseUrl is { } baseUrl) options.Endpoint = new Uri(baseUrl);
            // Local OpenAI-compatible servers usually take no key, but the SDK insists on one.
            return new OpenAIClient(new ApiKeyCredential(OpenAIKey ?? "no-key"), options).GetChatClient(model.Model).AsIChatClient();
        });
    }

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

public static class ChatProvidersRegistration
{
    public static IServiceCollection AddChatProviders(this IServiceCollection services, IConfiguration config) =>
        services.AddSingleton(new ChatProviders(config));
}
