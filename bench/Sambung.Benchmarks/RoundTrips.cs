using System.Diagnostics;

namespace Sambung.Benchmarks;

// Counts the round trips a piece of work makes to PostgreSQL, from Npgsql's own tracing (ActivitySource "Npgsql":
// one activity per command or batch sent; the COMMIT is not traced). Keeps the statements of the first piece of work
// it watches, to show where a post's round trips go. The scenarios run one thing at a time, so everything Npgsql
// sends between Begin and End belongs to the watched work.
public sealed class RoundTrips : IDisposable
{
    private readonly ActivityListener listener;
    private readonly List<string> first = [];
    private bool watching;
    private int watched;

    public RoundTrips()
    {
        listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = Record,
        };
        ActivitySource.AddActivityListener(listener);
    }

    public int Watched => watched;
    public int Trips { get; private set; }
    public IReadOnlyList<string> First => first;

    public void Begin() => watching = true;

    public void End()
    {
        watching = false;
        watched++;
    }

    private void Record(Activity activity)
    {
        if (!watching) return;
        Trips++;
        if (watched > 0) return;
        var sql = activity.GetTagItem("db.statement") as string ?? activity.DisplayName;
        var statements = sql.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        first.Add($"round trip {Trips}: {statements.Length} statement(s)");
        first.AddRange(statements.Select(s => "    " + Flat(s)));
    }

    private static string Flat(string sql)
    {
        var flat = string.Join(' ', sql.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return flat.Length <= 160 ? flat : flat[..160] + " …";
    }

    public void Dispose() => listener.Dispose();
}
