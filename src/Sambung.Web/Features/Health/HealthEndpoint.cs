using Npgsql;

namespace Sambung.Web.Features.Health;

public static class HealthEndpoint
{
    // 200 when the database answers; 503 with the reason otherwise (for load balancers, compose and people).
    public static void MapHealth(this IEndpointRouteBuilder app) =>
        app.MapGet("/health", async (NpgsqlDataSource db, ILoggerFactory logs, CancellationToken ct) =>
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(3));
                await using var cmd = db.CreateCommand("select 1");
                await cmd.ExecuteScalarAsync(timeout.Token);
                return Results.Json(new { status = "ok" });
            }
            catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException)
            {
                logs.CreateLogger("Sambung.Health").LogWarning(e, "Health check: the database did not answer");
                var reason = e is OperationCanceledException ? "the database did not answer within 3 s" : $"the database is unavailable: {e.Message}";
                return Results.Json(new { status = "unavailable", reason }, statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        }).DisableAntiforgery().AllowAnonymous();
}
