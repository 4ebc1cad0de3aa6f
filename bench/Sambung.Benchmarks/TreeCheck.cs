using Sambung.Projections;

namespace Sambung.Benchmarks;

// Sanity checks of the TreeNode read model: the scenarios must measure a sound tree (a node that is its own parent
// would make the page's recursive query loop until the command timeout).
public static class TreeCheck
{
    private const string Table = $"{SambungStore.Schema}.mt_doc_treenode";

    public static async Task EnsureSoundAsync(BenchContext ctx)
    {
        var broken = await ctx.ScalarAsync<long>($"select count(*) from {Table} where id = parent_id");
        if (broken > 0) throw new InvalidOperationException($"{broken} TreeNode documents are their own parent.");
    }

    // A digest of every node's place in its tree (parent, children, hidden children), to compare before and after a rebuild.
    public static Task<string> FingerprintAsync(BenchContext ctx) => ctx.ScalarAsync<string>($"""
        select coalesce(md5(string_agg(id::text || '|' || coalesce(parent_id::text, '') || '|' || (data->'Children')::text || '|' ||
                                       (data->'HiddenChildren')::text || '|' || (data->>'Kind') || '|' || (data->>'Status'), ',' order by id)), '')
        from {Table}
        """);
}
