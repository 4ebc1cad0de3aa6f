using System.Net;
using Sambung.Events.Conversations;
using Sambung.Web.Features.Providers;
using Sambung.Web.Features.Streaming;

namespace Sambung.UnitTests.Web;

public sealed class ProviderTests
{
    [Fact]
    public void token_estimates_count_real_tokens()
    {
        Assert.Equal(0, TokenEstimate.Of(["", null]));
        var hello = TokenEstimate.Of(["Hello, world!"]);
        Assert.InRange(hello, 2, 6);
        Assert.True(TokenEstimate.Of([string.Join(' ', Enumerable.Repeat("Sambung menghubungkan", 50))]) > 50);
    }

    [Theory]
    [InlineData("10.0.0.5")]
    [InlineData("127.0.0.1")]
    [InlineData("169.254.169.254")]
    [InlineData("172.20.1.1")]
    [InlineData("192.168.1.10")]
    [InlineData("100.64.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("::1")]
    [InlineData("fd00::1")]
    [InlineData("fe80::1")]
    [InlineData("::ffff:10.0.0.1")]
    public void private_and_local_addresses_are_recognised(string address) => Assert.True(ProviderUrls.IsPrivate(IPAddress.Parse(address)));

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("104.18.0.1")]
    [InlineData("2606:4700::1111")]
    public void public_addresses_are_not_private(string address) => Assert.False(ProviderUrls.IsPrivate(IPAddress.Parse(address)));

    [Theory]
    [InlineData("http://127.0.0.1:11434", "Connections.PrivateUrl")]
    [InlineData("http://localhost:1234/v1", "Connections.PrivateUrl")]
    [InlineData("http://169.254.169.254/latest/meta-data", "Connections.PrivateUrl")]
    [InlineData("http://[::1]/v1", "Connections.PrivateUrl")]
    [InlineData("http://printer.local/v1", "Connections.PrivateUrl")]
    [InlineData("file:///etc/passwd", "Connections.BadUrl")]
    [InlineData("gopher://example.org", "Connections.BadUrl")]
    [InlineData("https://user:pass@example.org/v1", "Connections.BadUrl")]
    [InlineData("not a url", "Connections.BadUrl")]
    [InlineData("https://api.example.org/v1", null)]
    [InlineData("", null)]
    public void a_users_base_url_is_checked_before_anything_is_fetched(string url, string? refusal) =>
        Assert.Equal(refusal, ProviderUrls.Check(url, allowPrivate: false));

    [Fact]
    public void an_admins_connection_may_reach_the_local_network() => Assert.Null(ProviderUrls.Check("http://127.0.0.1:11434", allowPrivate: true));

    [Fact]
    public void a_model_reference_names_a_connection_exactly_or_by_kind_with_the_users_own_first()
    {
        var instance = new ProviderConnection { Id = Guid.NewGuid(), Kind = ProviderKind.OpenAI, FromEnvironment = true };
        var own = new ProviderConnection { Id = Guid.NewGuid(), Kind = ProviderKind.OpenAI, OwnerId = "alice" };
        var anthropic = new ProviderConnection { Id = Guid.NewGuid(), Kind = ProviderKind.Anthropic };
        IReadOnlyList<ProviderConnection> available = [own, instance, anthropic];

        Assert.Same(own, ProviderRegistry.Resolve(new ModelRef("openai", "gpt"), available));
        Assert.Same(instance, ProviderRegistry.Resolve(new ModelRef(instance.Reference, "gpt"), [instance]));
        Assert.Same(anthropic, ProviderRegistry.Resolve(new ModelRef($"c:{anthropic.Id:N}", "claude"), available));
        Assert.Null(ProviderRegistry.Resolve(new ModelRef($"c:{Guid.NewGuid():N}", "x"), available));
        Assert.Null(ProviderRegistry.Resolve(new ModelRef("ollama", "llama"), available));
    }

    [Theory]
    [InlineData("openai|gpt-4o", "openai", "gpt-4o")]
    [InlineData("c:abc|org/model:latest", "c:abc", "org/model:latest")]
    public void model_references_round_trip_through_forms(string value, string provider, string model)
    {
        var parsed = ModelRefs.Parse(value)!;
        Assert.Equal(new ModelRef(provider, model), parsed);
        Assert.Equal(value, ModelRefs.Format(parsed));
    }

    [Theory]
    [InlineData("")]
    [InlineData("gpt-4o")]
    [InlineData("|gpt")]
    [InlineData("openai|")]
    public void malformed_model_references_are_ignored(string value) => Assert.Null(ModelRefs.Parse(value));

    [Theory]
    [InlineData("\"Planning a trip to Bali.\"", "Planning a trip to Bali")]
    [InlineData("Title: Weekend plans\nExtra line", "Weekend plans")]
    [InlineData("**One two three four five six seven eight nine ten**", "One two three four five six seven eight")]
    [InlineData("Title: \"A Quiet Week on Bali.\"", "A Quiet Week on Bali")]
    [InlineData("**Title:** Weekend plans", "Weekend plans")]
    [InlineData("   ", null)]
    public void automatic_titles_are_cleaned(string raw, string? title) => Assert.Equal(title, ReplyTitles.Clean(raw));

    [Fact]
    public void transient_failures_are_the_ones_worth_retrying()
    {
        Assert.True(new ProviderFailure(ProviderFailure.RateLimited, 429, null, "").IsTransient);
        Assert.True(new ProviderFailure(ProviderFailure.ProviderDown, 503, null, "").IsTransient);
        Assert.False(new ProviderFailure(ProviderFailure.Authentication, 401, null, "").IsTransient);
        Assert.False(new ProviderFailure(ProviderFailure.BadRequest, 400, null, "").IsTransient);
        Assert.False(new ProviderFailure(ProviderFailure.ContextTooLong, 400, null, "").IsTransient);
    }
}
