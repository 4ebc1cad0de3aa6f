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

    public Task RebuildAllAsync(CancellationToken ct) => RebuildAllAsync(store, coordinator.DaemonForMainDatabase(), db, ct);

    public static async Task RebuildAllAsync(IDocumentStore store, IProjectionDaemon daemon, NpgsqlDataSource db, CancellationToken ct)
    {
        // Two at a time: one projection keeps .NET busy while the other waits on PostgreSQL. The search table is
        // plain SQL, refilled in one statement from the rebuilt nodes (MessageSearchProjection.RefillAsync) rather
        // than replayed row by row.
        var search = store.Options.Events.Projections().Single(p => p is MessageSearchProjection).Name;
        var replayed = store.Options.Events.Projections().Select(p => p.Name).Where(n => n != search).ToList();
        await Parallel.ForEachAsync(replayed, new ParallelOptions { MaxDegreeOfParallelism = 2, CancellationToken = ct },
            async (name, token) => await daemon.RebuildProjectionAsync(name, TimeSpan.FromMinutes(30), token));
        await MessageSearchProjection.RefillAsync(db, ct);
    }
}
