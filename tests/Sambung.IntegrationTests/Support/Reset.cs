using Marten;
using Microsoft.Extensions.Hosting;

namespace Sambung.IntegrationTests.Support;

public static class Reset
{
    // Marten's reset deletes every document while the app's async daemon may be writing usage and audit rows of the
    // previous test; PostgreSQL then picks one of the two as a deadlock victim. Only the reset is retried: it deletes
    // everything anyway, so trying again is always safe.
    public static async Task ResetAllDataAsync(this IHost host)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await host.ResetAllMartenDataAsync();
                return;
            }
            catch (Npgsql.PostgresException e) when (e.SqlState == Npgsql.PostgresErrorCodes.DeadlockDetected && attempt < 5)
            {
                await Task.Delay(100 * attempt);
            }
        }
    }
}
