using Alba;
using Microsoft.AspNetCore.Builder;
using Npgsql;
using Sambung.IntegrationTests.Support;
using Sambung.Web.Features.Health;

namespace Sambung.IntegrationTests;

public sealed class HealthTests(AppFixture app) : AppTest(app)
{
    [Fact]
    public async Task health_answers_200_when_the_database_answers()
    {
        var result = await Host.Scenario(s => { s.Get.Url("/health"); s.StatusCodeShouldBeOk(); });
        Assert.Equal("ok", (await result.ReadAsJsonAsync<HealthBody>())!.Status);
    }

    [Fact]
    public async Task health_answers_503_with_the_reason_when_the_database_is_unreachable()
    {
        // The same endpoint against a port where nothing listens.
        var builder = WebApplication.CreateBuilder();
        builder.Services.AddSingleton(NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Database=none;Username=none;Timeout=2"));
        await using var host = await AlbaHost.For(builder, app => app.MapHealth());

        var result = await host.Scenario(s => { s.Get.Url("/health"); s.StatusCodeShouldBe(503); });

        var body = await result.ReadAsJsonAsync<HealthBody>();
        Assert.Equal("unavailable", body!.Status);
        Assert.Contains("database", body.Reason);
    }

    private sealed record HealthBody(string Status, string? Reason);
}
