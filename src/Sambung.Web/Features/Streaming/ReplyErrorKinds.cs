using Sambung.Web.Features.Providers;

namespace Sambung.Web.Features.Streaming;

// The failure kinds a reply can end with (the names live with ProviderFailure, which classifies them).
public static class ReplyErrorKinds
{
    public const string Interrupted = ProviderFailure.Interrupted;

    public static IReadOnlyList<string> All => ProviderFailure.Kinds;
}
