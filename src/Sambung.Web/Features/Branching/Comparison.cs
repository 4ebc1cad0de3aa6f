using Sambung.Events.Conversations;
using Sambung.Projections.Conversations;
using Sambung.Web.Features.Analytics;

namespace Sambung.Web.Features.Branching;

// One turn of a comparison: the message at the same depth on each side (null where a side is shorter), and a word
// diff when both have text.
public sealed record ComparedTurn(int Number, TreeNode? First, TreeNode? Second, IReadOnlyList<DiffPiece>? Diff);

// What one side cost: its replies' tokens, at the model catalogue's prices (as the usage dashboard counts them).
public sealed record SideTotals(IReadOnlyList<string> Models, long InputTokens, long OutputTokens, decimal Cost, bool Priced,
    TimeSpan? TimeToFirstToken, TimeSpan Duration);

// Two paths of one conversation side by side: what they share (shown once, folded) and where they part, aligned
// turn by turn from the first node that differs.
public sealed record Comparison(Guid FirstEnd, Guid SecondEnd, IReadOnlyList<TreeNode> Shared, IReadOnlyList<ComparedTurn> Turns,
    SideTotals FirstTotals, SideTotals SecondTotals)
{
    public static Comparison Of(IReadOnlyList<TreeNode> first, IReadOnlyList<TreeNode> second, Func<string, ModelPrice?> priceOf)
    {
        var shared = 0;
        while (shared < first.Count && shared < second.Count && first[shared].Id == second[shared].Id) shared++;
        var a = first.Skip(shared).ToList();
        var b = second.Skip(shared).ToList();
        var turns = Enumerable.Range(0, Math.Max(a.Count, b.Count)).Select(i =>
        {
            var x = i < a.Count ? a[i] : null;
            var y = i < b.Count ? b[i] : null;
            return new ComparedTurn(shared + i + 1, x, y, x is not null && y is not null ? WordDiff.Diff(x.Text, y.Text) : null);
        }).ToList();
        return new(first.Count > 0 ? first[^1].Id : Guid.Empty, second.Count > 0 ? second[^1].Id : Guid.Empty,
            first.Take(shared).ToList(), turns, Totals(a, priceOf), Totals(b, priceOf));
    }

    public static decimal? CostOf(TreeNode reply, Func<string, ModelPrice?> priceOf) =>
        reply.Usage is { } usage && reply.Model is { } model && priceOf(model.Model) is { } price
            ? price.CostOf(usage.InputTokens, usage.OutputTokens) : null;

    private static SideTotals Totals(IReadOnlyList<TreeNode> side, Func<string, ModelPrice?> priceOf)
    {
        var replies = side.Where(n => n.Kind == NodeKind.Assistant).ToList();
        var costs = replies.Where(r => r.Usage is not null).Select(r => CostOf(r, priceOf)).ToList();
        var firstToken = replies.Select(r => r.TimeToFirstToken).FirstOrDefault(t => t is not null);
        return new([.. replies.Select(r => r.ProviderModelId ?? r.Model?.Model ?? "").Where(m => m.Length > 0).Distinct()],
            replies.Sum(r => r.Usage?.InputTokens ?? 0), replies.Sum(r => r.Usage?.OutputTokens ?? 0),
            costs.Sum(c => c ?? 0m), costs.All(c => c is not null),
            firstToken, TimeSpan.FromTicks(replies.Sum(r => r.Duration?.Ticks ?? 0)));
    }
}
