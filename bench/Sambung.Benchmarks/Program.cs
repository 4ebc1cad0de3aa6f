using Npgsql;
using Sambung.Benchmarks;

// dotnet run -c Release --project bench/Sambung.Benchmarks -- <scenario|all> [--quick]
// (Started by the streaming scenario as "relay <url> <upstream>": the bare relay it compares the app with.)
if (args is ["relay", var relayUrl, var upstream]) return await BareRelay.ServeAsync(relayUrl, upstream);

var scenarios = new Dictionary<string, Func<BenchContext, Task>>
{
    // "all" runs them in this order: the long conversation is opened at exactly its built size before post-message
    // adds to it, and search fills the search table last because a rebuild empties it.
    ["open-long-conversation"] = OpenLongConversationBenchmark.RunAsync,
    ["post-message"] = PostMessageBenchmark.RunAsync,
    ["rebuild"] = RebuildBenchmark.RunAsync,
    ["search"] = SearchBenchmark.RunAsync,
    // Not part of "all": it starts the app as a process and runs for minutes of its own; run it by name.
    ["streaming"] = StreamingBenchmark.RunAsync,
    // Not part of "all" either: the app as a process, Chromium, and 100,000 chats + 1,000,000 search rows of its own.
    ["workspace"] = WorkspaceBenchmark.RunAsync,
    // Not part of "all": the tree page of the long conversation (docs/branching.md); run it by name.
    ["tree-page"] = TreePageBenchmark.RunAsync,
    // Not part of "all": the app as a process; the History page of a 1,000-event conversation at several steps.
    ["history"] = HistoryBenchmark.RunAsync,
    // Not part of "all": the app as a process, and a year of usage documents of its own.
    ["usage"] = UsageBenchmark.RunAsync,
    // Not part of "all": the OpenAI SDK's own share of the time to first token, against a bare HTTP client.
    ["provider-client"] = ProviderClientBenchmark.RunAsync,
};
string[] all = ["open-long-conversation", "post-message", "rebuild", "search"];

var quick = args.Contains("--quick");
// --keep-data: skip dropping the schema and reuse what earlier runs built (the long conversation, the search rows,
// the rebuild data set); for iterating on one scenario, not for figures to publish.
var keepData = args.Contains("--keep-data");
var names = args.Where(a => !a.StartsWith("--")).ToList();
if (names.Count == 0 || names.Any(n => n != "all" && !scenarios.ContainsKey(n)))
{
    Console.Error.WriteLine($"usage: dotnet run -c Release --project bench/Sambung.Benchmarks -- <{string.Join('|', scenarios.Keys)}|all> [--quick] [--keep-data]");
    return 2;
}
var selected = names.Contains("all") ? all.ToList() : names.Distinct().ToList();

try
{
    await using var ctx = await BenchContext.CreateAsync(quick);
    await MachineInfo.PrintAsync(ctx, selected);
    await ctx.PrepareSchemaAsync(drop: !keepData);
    foreach (var name in selected)
    {
        var loadBefore = MachineInfo.LoadAverage();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await scenarios[name](ctx);
        Markdown.Line($"_{name}: {Markdown.Seconds(watch.Elapsed)} in all; load average (1/5/15 min) {loadBefore} before, {MachineInfo.LoadAverage()} after._");
    }
    return 0;
}
catch (BenchSetupException e)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}
catch (NpgsqlException e) when (e.InnerException is System.Net.Sockets.SocketException)
{
    Console.Error.WriteLine($"Cannot reach PostgreSQL ({e.Message}). Start it with ./run.sh db.");
    return 1;
}
