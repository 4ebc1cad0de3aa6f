using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using Microsoft.Extensions.AI;
using OpenAI;
using OllamaSharp;

namespace Sambung.Web.Features.Providers;

// Every provider as a Microsoft.Extensions.AI IChatClient. SDK retries are off: the generator decides what to
// retry (never a bad request or a bad key) and when to fall back to another model.
public sealed class ChatClientFactory(ProviderKeys keys, ProviderHttp http)
{
    private readonly ConcurrentDictionary<string, IChatClient> clients = new();

    // One client per connection, address, model and key. The key is named as stored (a new key is a new protected
    // string), so a reply on a known connection neither decrypts nor hashes its key: that is only done once, to build.
    public IChatClient Create(ProviderConnection connection, string model)
    {
        var cacheKey = $"{connection.Id}|{connection.EffectiveBaseUrl}|{model}|{(connection.FromEnvironment ? connection.EnvironmentKey : connection.ProtectedKey)}";
        return clients.GetOrAdd(cacheKey, _ => Build(connection, model, keys.Reveal(connection)));
    }

    private IChatClient Build(ProviderConnection connection, string model, string? key)
    {
        var httpClient = http.For(connection);
        switch (ProviderKinds.ProtocolOf(connection.Kind))
        {
            case Protocol.Anthropic:
                var anthropic = new Anthropic.AnthropicClient(new Anthropic.Core.ClientOptions
                {
                    ApiKey = key ?? "", BaseUrl = connection.EffectiveBaseUrl.TrimEnd('/'), MaxRetries = 0, HttpClient = httpClient,
                });
                return anthropic.AsIChatClient(model, defaultMaxOutputTokens: 4096);
            case Protocol.Ollama:
                return new OllamaApiClient(http.NewClient(connection, new Uri(connection.EffectiveBaseUrl.TrimEnd('/') + "/")), model);
            default:
                var options = new OpenAIClientOptions
                {
                    Endpoint = new Uri(connection.EffectiveBaseUrl),
                    RetryPolicy = new ClientRetryPolicy(0),
                    Transport = new HttpClientPipelineTransport(httpClient),
                    NetworkTimeout = Timeout.InfiniteTimeSpan,
                };
                // Local OpenAI-compatible servers usually take no key, but the SDK insists on one.
                return new OpenAIClient(new ApiKeyCredential(key ?? "no-key"), options).GetChatClient(model).AsIChatClient();
        }
    }
}
