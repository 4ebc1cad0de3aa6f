using Sambung.Web.Features.Providers;

namespace Sambung.Web.Features.Streaming;

public static class StreamingRegistration
{
    public static IServiceCollection AddReplyStreaming(this IServiceCollection services) => services
        .AddSingleton<LiveReplies>()
        .AddSingleton<ReplyGenerator>()
        .AddSingleton<ReplyTitles>()
        .AddSingleton<FallbackChain>()
        .AddHostedService<InterruptedReplies>();
}

public static class ProvidersRegistration
{
    public static IServiceCollection AddProviders(this IServiceCollection services) => services
        .AddSingleton<ProviderKeys>()
        .AddSingleton<ProviderChanges>()
        .AddSingleton<ProviderHttp>()
        .AddSingleton<ProviderRegistry>()
        .AddSingleton<ChatClientFactory>()
        .AddSingleton<ModelCatalogue>()
        .AddSingleton<ModelChoices>()
        .AddScoped<ConnectionEditor>();
}
