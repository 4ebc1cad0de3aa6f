using Marten;
using Marten.Schema;
using Npgsql;

namespace Sambung.Projections.Search;

// The planner chooses between walking an owner's messages newest first and asking the GIN index, by its estimate
// of how many rows a word matches. With the default statistics it guesses thousands for any word it has not
// sampled, so a rare word, or one nobody wrote, walked a million rows (3 s, docs/benchmarks.md); with 1,000 as the
// target it takes the index for those (under 3 ms). Weasel's Table has no per-column statistics, so this runs after
// the schema is applied; autovacuum's analyze keeps the target from then on.
public sealed class SearchStatistics : IInitialData
{
    public const int Target = 1000;

    public async Task Populate(IDocumentStore store, CancellationToken cancellation)
    {
        var table = $"{SambungStore.Schema}.{MessageSearchProjection.TableName}";
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(cancellation);
        // The schema may be managed by hand (Sambung__ApplySchemaOnStart=false) and not be there yet.
        await using var command = new NpgsqlCommand($"""
            do $$ begin
                if to_regclass('{table}') is not null then
                    alter table {table} alter column tsv set statistics {Target};
                end if;
            end $$
            """, connection);
        await command.ExecuteNonQueryAsync(cancellation);
    }
}
