using Npgsql;

namespace Sambung.IntegrationTests.Support;

// The real PostgreSQL started by ./test.sh, which exports SAMBUNG_TEST_PG (host, port, user, password).
// Each test project uses a database of its own so projects can run side by side.
public static class TestDatabase
{
    public static string ConnectionString(string database)
    {
        var server = Environment.GetEnvironmentVariable("SAMBUNG_TEST_PG")
            ?? throw new InvalidOperationException(
                "SAMBUNG_TEST_PG is not set. Run the tests with ./test.sh, which starts PostgreSQL and sets it.");
        return new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString;
    }

    // Creates the database when a developer runs `dotnet test` by hand against the cluster test.sh started.
    public static async Task EnsureExistsAsync(string connectionString)
    {
        var target = new NpgsqlConnectionStringBuilder(connectionString);
        var admin = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false };
        await using var conn = new NpgsqlConnection(admin.ConnectionString);
        await conn.OpenAsync();
        await using var exists = new NpgsqlCommand("select 1 from pg_database where datname = $1", conn) { Parameters = { new() { Value = target.Database } } };
        if (await exists.ExecuteScalarAsync() is null)
        {
            await using var create = new NpgsqlCommand($"create database \"{target.Database}\"", conn);
            await create.ExecuteNonQueryAsync();
        }
    }
}
