using JasperFx;
using Marten;
using Npgsql;
using Sambung.Projections;

namespace Sambung.Benchmarks;

public sealed class BenchSetupException(string message) : Exception(message);

// How much data each scenario makes and how many times it measures; --quick shrinks everything to a smoke run.
public sealed record Sizes(
    int PostConversations, int PostSeedExchanges, int PostWarmup, int Posts,
    int LongMessages, int LongBranches, int LongPostsCached, int LongPostsCold,
    int OpenWarmup, int OpenRuns,
    int RebuildConversations, int RebuildExchanges,
    int SearchRows, int SearchOtherOwnerRows, int SearchWarmup, int SearchRuns,
    int WorkspaceChats, int WorkspaceWarmup, int WorkspaceRuns, int BrowserRuns)
{
    public static readonly Sizes Full = new(
        PostConversations: 50, PostSeedExchanges: 10, PostWarmup: 100, Posts: 1_000,
        LongMessages: 5_000, LongBranches: 50, LongPostsCached: 100, LongPostsCold: 10,
        OpenWarmup: 10, OpenRuns: 200,
        RebuildConversations: 1_000, RebuildExchanges: 33,
        SearchRows: 1_000_000, SearchOtherOwnerRows: 100_000, SearchWarmup: 20, SearchRuns: 200,
        WorkspaceChats: 100_000, WorkspaceWarmup: 20, WorkspaceRuns: 100, BrowserRuns: 10);

    public static readonly Sizes Quick = new(
        PostConversations: 5, PostSeedExchanges: 2, PostWarmup: 5, Posts: 50,
        LongMessages: 200, LongBranches: 4, LongPostsCached: 10, LongPostsCold: 2,
        OpenWarmup: 3, OpenRuns: 20,
        RebuildConversations: 50, RebuildExchanges: 10,
        SearchRows: 20_000, SearchOtherOwnerRows: 2_000, SearchWarmup: 3, SearchRuns: 20,
        WorkspaceChats: 5_000, WorkspaceWarmup: 3, WorkspaceRuns: 20, BrowserRuns: 3);
}

// The database, the Marten store configured exactly as the app configures it, and the sizes of this run.
public sealed class BenchContext : IAsyncDisposable
{
    public const string DatabaseName = "sambung_test_bench";

    private DocumentStore? store;

    private BenchContext(bool quick, string connectionString, NpgsqlDataSource db)
    {
        Quick = quick;
        Sizes = quick ? Sizes.Quick : Sizes.Full;
        ConnectionString = connectionString;
        Db = db;
    }

    public bool Quick { get; }
    public Sizes Sizes { get; }
    public string ConnectionString { get; }
    public NpgsqlDataSource Db { get; }
    public DocumentStore Store => store ?? throw new InvalidOperationException("The schema has not been created yet.");

    // A text generator of its own for each use (they are not thread-safe), deterministic per seed.
    public TextGenerator Text(int seed) => new(seed);

    public static async Task<BenchContext> CreateAsync(bool quick)
    {
        var server = Environment.GetEnvironmentVariable("SAMBUNG_TEST_PG");
        if (string.IsNullOrWhiteSpace(server))
            throw new BenchSetupException(
                "SAMBUNG_TEST_PG is not set. Start PostgreSQL with ./run.sh db, then export " +
                "SAMBUNG_TEST_PG=\"Host=127.0.0.1;Port=55432;Username=sambung;Password=$(cat .data/db-password)\" " +
                $"(the benchmarks use the database {DatabaseName}).");
        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = DatabaseName }.ConnectionString;
        var db = NpgsqlDataSource.Create(connectionString);
        await using (var probe = db.CreateCommand("select 1")) await probe.ExecuteScalarAsync();
        return new BenchContext(quick, connectionString, db);
    }

    // The same store options as src/Sambung.Web/Program.cs (minus Wolverine and the daemon, which the scenarios
    // drive themselves).
    public static DocumentStore CreateStore(NpgsqlDataSource dataSource, Action<StoreOptions>? adjust = null) => DocumentStore.For(opts =>
    {
        opts.Connection(dataSource);
        SambungStore.Configure(opts);
        opts.AutoCreateSchemaObjects = AutoCreate.All;
        adjust?.Invoke(opts);
    });

    public string ConnectionStringWith(string options) =>
        new NpgsqlConnectionStringBuilder(ConnectionString) { Options = options }.ConnectionString;

    // A clean run: the whole sambung schema (events, documents, search table) and the floor tables go.
    public async Task PrepareSchemaAsync(bool drop)
    {
        if (drop) await ExecAsync($"drop schema if exists {SambungStore.Schema} cascade; drop schema if exists {PhysicalFloor.Schema} cascade");
        store = CreateStore(Db);
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
    }

    public async Task ExecAsync(string sql, params object[] parameters)
    {
        await using var cmd = Db.CreateCommand(sql);
        cmd.CommandTimeout = 0;
        foreach (var p in parameters) cmd.Parameters.AddWithValue(p);
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task<T> ScalarAsync<T>(string sql, params object[] parameters)
    {
        await using var cmd = Db.CreateCommand(sql);
        cmd.CommandTimeout = 0;
        foreach (var p in parameters) cmd.Parameters.AddWithValue(p);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    public async Task<List<string>> LinesAsync(string sql, params object[] parameters)
    {
        await using var cmd = Db.CreateCommand(sql);
        cmd.CommandTimeout = 0;
        foreach (var p in parameters) cmd.Parameters.AddWithValue(p);
        await using var reader = await cmd.ExecuteReaderAsync();
        var lines = new List<string>();
        while (await reader.ReadAsync()) lines.Add(reader.GetValue(0)?.ToString() ?? "");
        return lines;
    }

    public async ValueTask DisposeAsync()
    {
        if (store is not null) await store.DisposeAsync();
        await Db.DisposeAsync();
    }
}
