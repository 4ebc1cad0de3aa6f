using Marten;
using Marten.Schema;
using Npgsql;

namespace Sambung.Projections.Search;

// Title search is a substring match (ILIKE '%words%'), which no b-tree serves: with 100,000 chats it read every one
// of them (140-195 ms, docs/benchmarks.md). A trigram GIN index answers it in a few milliseconds for three
// characters or more. pg_trgm ships with PostgreSQL and is a trusted extension. Marten does not know this index
// (SambungStore tells it to leave the index alone), so it is made here, after the schema is applied; where the
// extension cannot be created, titles are still searched, only without the index.
public sealed class TitleSearchIndex : IInitialData
{
    public const string IndexName = "ix_chatlistitem_title_trgm";

    public async Task Populate(IDocumentStore store, CancellationToken cancellation)
    {
        var table = $"{SambungStore.Schema}.mt_doc_chatlistitem";
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(cancellation);
        await using var command = new NpgsqlCommand($"""
            do $$ begin
                if to_regclass('{table}') is not null and to_regclass('{SambungStore.Schema}.{IndexName}') is null then
                    create extension if not exists pg_trgm;
                    create index {IndexName} on {table} using gin ((data->>'Title') gin_trgm_ops);
                end if;
            exception when others then
                raise warning 'title search index not created: %', sqlerrm;
            end $$
            """, connection);
        await command.ExecuteNonQueryAsync(cancellation);
    }
}
