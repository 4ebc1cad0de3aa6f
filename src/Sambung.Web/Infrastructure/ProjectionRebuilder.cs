using JasperFx.Events.Daemon;
using Marten;
using Npgsql;
using Sambung.Projections;
using Sambung.Projections.Search;

namespace Sambung.Web.Infrastructure;

// Rebuilds every read model from the events, from zero. Also reachable from the command line:
//   dotnet Sambung.Web.dll projections rebuild
public sealed class ProjectionRebuilder(IDocumentStore store, IProjectionCoordinator coordinator, NpgsqlDataSource db)
{
    public IReadOnlyList<string> Names => store.Options.Events.Projections().Select(p => p.Name).ToList();

    public async Task RebuildAllAsync(CancellationToken ct)
    {
        // The search table is plain SQL, outside what Marten tears down before a rebuild.
        await using (var truncate = db.CreateCommand($"truncate {SambungStore.Schema}.{MessageSearchProjection.TableName}"))
            await truncate.ExecuteNonQueryAsync(ct);

        var daemon = coordinator.DaemonForMainDatabase();
        foreach (var name in Names)
            await daemon.RebuildProjectionAsync(name, TimeSpan.FromMinutes(10), ct);
    }
}
