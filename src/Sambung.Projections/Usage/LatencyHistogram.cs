namespace Sambung.Projections.Usage;

// Times to first token as counts in fixed log-scale buckets, so a day's (or a year's) distribution is a short array
// that adds up across documents and gives percentiles without keeping every reply. Bucket 0 holds everything under
// 10 ms; bucket i (1 ≤ i < Count - 1) holds [10·1.25^(i-1), 10·1.25^i) ms; the last one everything from about
// 6.4 minutes up. A ratio of 1.25 keeps an estimate within about 12 % of the true value.
public static class LatencyHistogram
{
    public const int Count = 48;
    public const double FirstBoundMs = 10, Ratio = 1.25;

    public static int BucketOf(double ms)
    {
        if (double.IsNaN(ms) || ms < FirstBoundMs) return 0;
        var i = 1 + (int)Math.Floor(Math.Log(ms / FirstBoundMs) / Math.Log(Ratio));
        return Math.Clamp(i, 1, Count - 1);
    }

    // The bucket's lower and upper edges in ms (bucket 0 starts at 0; the last one is given one more step's width).
    public static (double Lower, double Upper) Bounds(int bucket) => bucket == 0
        ? (0, FirstBoundMs)
        : (FirstBoundMs * Math.Pow(Ratio, bucket - 1), FirstBoundMs * Math.Pow(Ratio, bucket));

    // A new array with one more count (documents are immutable; a null or short array is treated as zeros).
    public static int[] Add(int[]? counts, double ms)
    {
        var next = new int[Count];
        if (counts is not null) Array.Copy(counts, next, Math.Min(counts.Length, Count));
        next[BucketOf(ms)]++;
        return next;
    }

    public static int[] Sum(IEnumerable<int[]?> histograms)
    {
        var total = new int[Count];
        foreach (var h in histograms)
            if (h is not null)
                for (var i = 0; i < Math.Min(h.Length, Count); i++) total[i] += h[i];
        return total;
    }

    // The p-quantile (0 < p ≤ 1) by the nearest-rank rule, placed inside its bucket by interpolating geometrically
    // between the bucket's edges (linearly in bucket 0); null when there is nothing counted.
    public static double? Percentile(int[]? counts, double p)
    {
        if (counts is null) return null;
        long total = 0;
        foreach (var c in counts) total += c;
        if (total == 0) return null;
        var rank = Math.Max(1, (long)Math.Ceiling(p * total));
        long below = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            if (counts[i] == 0) continue;
            if (below + counts[i] >= rank)
            {
                var (lower, upper) = Bounds(i);
                var fraction = (rank - below - 0.5) / counts[i]; // the middle of the rank's share of the bucket
                return i == 0 ? lower + (upper - lower) * fraction : lower * Math.Pow(upper / lower, fraction);
            }
            below += counts[i];
        }
        return null;
    }
}
