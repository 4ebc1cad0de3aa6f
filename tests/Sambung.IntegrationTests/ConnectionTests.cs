using System.Net;
using Marten;
using Sambung.FakeProviders;
using Sambung.IntegrationTests.Support;
using Sambung.Web.Features.Providers;

namespace Sambung.IntegrationTests;

public sealed class ConnectionTests(AccountsFixture fixture) : AccountsTest(fixture)
{
    private const string Key = "sk-live-abcdefghijklmnop-WXYZ";

    private async Task<ProviderConnection> StoredAsync(string name)
    {
        await using var session = Store.QuerySession();
        return await session.Query<ProviderConnection>().SingleAsync(c => c.Name == name);
    }

    [Fact]
    public async Task a_key_is_stored_encrypted_and_never_shown_again_but_for_its_last_four_characters()
    {
        var admin = await SignedInAsync();

        var added = await admin.PostAsync("/admin/connections", "/admin/connections?handler=Add",
            ("kind", "OpenAICompatible"), ("name", "Fake"), ("baseUrl", Fixture.Llm.OpenAIBaseUrl), ("apiKey", Key));

        Assert.Equal(HttpStatusCode.Redirect, added.StatusCode);
        var stored = await StoredAsync("Fake");
        Assert.DoesNotContain(Key, stored.ProtectedKey);
        Assert.DoesNotContain("abcdefghijklmnop", stored.ProtectedKey);
        Assert.Equal("WXYZ", stored.KeyLast4);
        foreach (var page in new[] { "/admin/connections", "/settings/connections" })
        {
            var html = await admin.PageAsync(page);
            Assert.DoesNotContain("abcdefghijklmnop", html);
        }
        Assert.Contains("&#x2022;&#x2022;&#x2022;&#x2022;WXYZ", await admin.PageAsync("/admin/connections"));
        await using var db = Npgsql.NpgsqlDataSource.Create(Fixture.ConnectionString);
        await using var cmd = db.CreateCommand("select count(*) from sambung.mt_events where data::text like '%abcdefghijklmnop%'");
        Assert.Equal(0L, await cmd.ExecuteScalarAsync());
    }

    [Fact]
    public async Task testing_a_connection_lists_the_providers_models_or_says_what_went_wrong()
    {
        var admin = await SignedInAsync();
        await admin.PostAsync("/admin/connections", "/admin/connections?handler=Add",
            ("kind", "OpenAICompatible"), ("name", "Fake"), ("baseUrl", Fixture.Llm.OpenAIBaseUrl), ("apiKey", Key));
        var id = (await StoredAsync("Fake")).Id;

        var ok = await admin.PostAsync("/admin/connections", "/admin/connections?handler=Test", ("id", id.ToString()));
        var okPage = await ok.Content.ReadAsStringAsync();
        Assert.Contains("Connected: 2 models available.", okPage);
        Assert.Contains("fake-gpt", okPage);
        Assert.Equal($"Bearer {Key}", Fixture.Llm.Requests.Last(r => r.Path == "/v1/models").Headers["Authorization"]);

        await admin.PostAsync("/admin/connections", "/admin/connections?handler=Add",
            ("kind", "OpenAICompatible"), ("name", "Nowhere"), ("baseUrl", "http://127.0.0.1:1/v1"), ("apiKey", Key));
        var failed = await admin.PostAsync("/admin/connections", "/admin/connections?handler=Test", ("id", (await StoredAsync("Nowhere")).Id.ToString()));
        Assert.Contains("The connection to the provider failed.", await failed.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task a_users_own_connection_may_not_reach_private_addresses()
    {
        await SignedInAsync(); // the admin
        var user = await SignedInAsync();

        foreach (var url in new[] { "http://127.0.0.1:11434", "http://169.254.169.254/v1", "http://[::1]:8080/v1" })
        {
            var refused = await user.PostAsync("/settings/connections", "/settings/connections?handler=Add",
                ("kind", "OpenAICompatible"), ("name", "Sneaky"), ("baseUrl", url), ("apiKey", Key));
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
            Assert.Contains("may only reach public addresses", await refused.Content.ReadAsStringAsync());
        }
        await using var session = Store.QuerySession();
        Assert.Equal(0, await session.Query<ProviderConnection>().CountAsync());
    }

    [Fact]
    public async Task another_users_connection_is_not_found()
    {
        await SignedInAsync();
        var alice = await SignedInAsync();
        await alice.PostAsync("/settings/connections", "/settings/connections?handler=Add",
            ("kind", "OpenAI"), ("name", "Alice key"), ("apiKey", Key));
        var id = (await StoredAsync("Alice key")).Id.ToString();
        var bob = await SignedInAsync();

        Assert.Equal(HttpStatusCode.NotFound, (await bob.PostAsync("/settings/connections", "/settings/connections?handler=Test", ("id", id))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.PostAsync("/settings/connections", "/settings/connections?handler=Remove", ("id", id))).StatusCode);
        Assert.DoesNotContain("Alice key", await bob.PageAsync("/settings/connections"));
        Assert.Equal(HttpStatusCode.Redirect, (await alice.PostAsync("/settings/connections", "/settings/connections?handler=Remove", ("id", id))).StatusCode);
    }

    [Fact]
    public async Task an_admin_can_forbid_personal_connections()
    {
        var admin = await SignedInAsync();
        var user = await SignedInAsync();
        await admin.PostAsync("/admin/connections", "/admin/connections?handler=Settings", ("userConnectionsAllowed", "false"));

        var refused = await user.PostAsync("/settings/connections", "/settings/connections?handler=Add", ("kind", "OpenAI"), ("name", "Mine"), ("apiKey", Key));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("has not allowed personal connections", await refused.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task a_non_admin_cannot_open_the_instance_connections()
    {
        await SignedInAsync();
        var user = await SignedInAsync();
        Assert.Equal(HttpStatusCode.Redirect, (await user.GetAsync("/admin/connections")).StatusCode);
        var post = await user.PostWithTokenAsync("/admin/connections?handler=Add", TestBrowser.Token(await user.PageAsync("/")),
            ("kind", "OpenAI"), ("name", "X"), ("apiKey", Key));
        Assert.NotEqual(HttpStatusCode.OK, post.StatusCode);
        await using var session = Store.QuerySession();
        Assert.Equal(0, await session.Query<ProviderConnection>().CountAsync());
    }
}
