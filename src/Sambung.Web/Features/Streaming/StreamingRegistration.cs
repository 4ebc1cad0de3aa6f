namespace Sambung.Web.Features.Streaming;

public static class StreamingRegistration
{
    public static IServiceCollection AddReplyStreaming(this IServiceCollection services) => services
        .AddSingleton<LiveReplies>()
        .AddSingleton<ReplyGenerator>();
}
