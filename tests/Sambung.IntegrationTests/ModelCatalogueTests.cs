using System.Net;
using Marten;
using Sambung.IntegrationTests.Support;
using Sambung.Web.Features.Providers;

namespace Sambung.IntegrationTests;

public sealed class ModelCatalogueTests(AccountsFixture fixture) : AccountsTest(fixture)
{
    private ModelCatalogue Catalogue => Host.Services.GetRequiredService<ModelCatalogue>();

    [Fact]
    public async Task an_admin_changes_a_built_in_model_s_prices_adds_a_model_and_resets_them()
    {
        var admin = await SignedInAsync();
        Assert.Contains("gpt-4o-mini", await admin.PageAsync("/admin/models"));

        var saved = await admin.PostAsync("/admin/models", "/admin/models?handler=Save",
            ("Id", "gpt-4o-mini"), ("ContextWindow", "128000"), ("MaxOutputTokens", "16384"), ("InputPrice", "0.20"), ("OutputPrice", "$0.80"));
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        await admin.PostAsync("/admin/models", "/admin/models?handler=Save", ("Id", " my-local-model "), ("ContextWindow", "32,768"));

        Assert.Equal(new ModelInfo("gpt-4o-mini", 128_000, 16_384, 0.20m, 0.80m), await Catalogue.DescribeAsync("gpt-4o-mini", default));
        Assert.Equal(new ModelInfo("my-local-model", 32_768), await Catalogue.DescribeAsync("my-local-model", default));
        var page = await admin.PageAsync("/admin/models");
        Assert.Contains("value=\"0.20\"", page);
        Assert.Contains("Reset gpt-4o-mini to its built-in figures", page);
        Assert.Contains("Remove my-local-model", page);

        await admin.PostAsync("/admin/models", "/admin/models?handler=Reset", ("id", "gpt-4o-mini"));
        await admin.PostAsync("/admin/models", "/admin/models?handler=Reset", ("id", "my-local-model"));
        Assert.Equal(ModelCatalogue.BuiltIn["gpt-4o-mini"], await Catalogue.DescribeAsync("gpt-4o-mini", default));
        Assert.DoesNotContain("my-local-model", await admin.PageAsync("/admin/models"));
    }

    [Theory]
    [InlineData("", "128000", "1", "Give the model id")]
    [InlineData("gpt-4o", "-5", "1", "Token counts are whole numbers")]
    [InlineData("gpt-4o", "12.5", "1", "Token counts are whole numbers")]
    [InlineData("gpt-4o", "128000", "cheap", "Prices are numbers")]
    [InlineData("gpt-4o", "128000", "-1", "Prices are numbers")]
    public async Task bad_figures_are_refused_with_a_message_and_change_nothing(string id, string context, string price, string message)
    {
        var admin = await SignedInAsync();
        var refused = await admin.PostAsync("/admin/models", "/admin/models?handler=Save",
            ("Id", id), ("ContextWindow", context), ("InputPrice", price));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains(message, await refused.Content.ReadAsStringAsync());
        Assert.Equal(ModelCatalogue.BuiltIn["gpt-4o"], await Catalogue.DescribeAsync("gpt-4o", default));
    }

    [Fact]
    public async Task a_non_admin_cannot_open_or_change_the_catalogue()
    {
        await SignedInAsync(); // the admin
        var user = await SignedInAsync();
        Assert.Equal(HttpStatusCode.Redirect, (await user.GetAsync("/admin/models")).StatusCode);
        var post = await user.PostWithTokenAsync("/admin/models?handler=Save", TestBrowser.Token(await user.PageAsync("/")),
            ("Id", "gpt-4o"), ("InputPrice", "999"));
        Assert.NotEqual(HttpStatusCode.OK, post.StatusCode);
        Assert.Equal(ModelCatalogue.BuiltIn["gpt-4o"], await Catalogue.DescribeAsync("gpt-4o", default));
    }
}
