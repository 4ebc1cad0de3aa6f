using System.Diagnostics;
using Marten;
using Microsoft.AspNetCore.Http;
using Npgsql;
using Sambung.Events.Conversations;
using Sambung.Projections.Audit;
using Sambung.Web.Features.Chats;
using Sambung.Web.Infrastructure;

namespace Sambung.Benchmarks;

// Posting a message the way ConversationCommandHandler does: load the conversation through ConversationStreams
// (cached fold), decide, append with the expected version, SaveChangesAsync (the inline projections run in that
// transaction). The reply is then completed, untimed, so the next post is allowed.
public static class PostMessageBenchmark
{
    public const string Owner = "bench-post";

    // The timed posts of one way of posting and where their time went.
    private sealed class PhaseSamples(string name)
    {
        public Samples Total { get; } = new(name);
        public List<(double Load, double Decide, double Save)> Phases { get; } = [];
        public int RoundTrips { get; set; }
        public IReadOnlyList<string> FirstPost { get; set; } = [];
    }

    // One way of posting, with conversations of its own (so its cache only ever sees its own writes) and, when
    // floorDb is set, the physical floor of each of its posts written right after it.
    private sealed class Arm(string name, IDocumentStore store, List<Guid> conversations, ConversationCache? trusted = null,
        NpgsqlDataSource? floorDb = null, string? floorName = null) : IDisposable
    {
        public IDocumentStore Store => store;
        public List<Guid> Conversations => conversations;
        public ConversationStreams Streams { get; } = NewStreams();
        public ConversationCache? Trusted => trusted;
        public NpgsqlDataSource? FloorDb => floorDb;
        public PhaseSamples Result { get; } = new(name);
        public Samples Floor { get; } = new(floorName ?? "");
        public RoundTrips RoundTrips { get; } = new();
        public void Dispose() => RoundTrips.Dispose();
    }

    public static async Task RunAsync(BenchContext ctx)
    {
        Markdown.Heading(2, "post-message");
        var sizes = ctx.Sizes;
        var perArm = new List<List<Guid>>();
        for (var arm = 0; arm < 3; arm++) perArm.Add(await SeedAsync(ctx));
        var floor = new PhysicalFloor(ctx);
        await floor.CreateTablesAsync(perArm.SelectMany(c => c));
        Markdown.Line($"{sizes.PostConversations} conversations of {sizes.PostSeedExchanges + 1} exchanges each to start with, for each of the three ways " +
                      $"of posting below; {sizes.PostWarmup} warm-up posts, then {sizes.Posts:N0} timed posts spread over them (round robin). " +
                      "Each post writes UserMessagePosted + ReplyRequested. The three ways (and the floor after each post of the first two) are " +
                      "interleaved post by post, so that other load on the machine affects them alike.");

        await using var dbOn = NpgsqlDataSource.Create(ctx.ConnectionStringWith("-c synchronous_commit=on"));
        await using var storeOn = BenchContext.CreateStore(dbOn);
        using var asyncOff = new Arm("post-message (synchronous_commit=off, as configured)", ctx.Store, perArm[0],
            floorDb: ctx.Db, floorName: "physical floor: raw Npgsql, same rows, one transaction (synchronous_commit=off)");
        using var syncOn = new Arm("post-message (synchronous_commit=on for the session)", storeOn, perArm[1],
            floorDb: dbOn, floorName: "physical floor (synchronous_commit=on)");
        using var trustedOff = new Arm("what-if: no re-read when the cache is at the expected version (synchronous_commit=off)", ctx.Store, perArm[2],
            trusted: new ConversationCache());
        Arm[] arms = [asyncOff, syncOn, trustedOff];
        var text = ctx.Text(1);
        for (var i = 0; i < sizes.PostWarmup + sizes.Posts; i++)
        {
            var timed = i >= sizes.PostWarmup;
            foreach (var arm in arms)
            {
                var id = arm.Conversations[i % arm.Conversations.Count];
                var (phases, post) = await PostAsync(arm.Store, arm.Streams, id, Owner, text.Message(), timed ? arm.RoundTrips : null, arm.Trusted);
                await CompleteAsync(arm.Store, arm.Streams, id, post.ReplyId, text.Message(), arm.Trusted);
                if (timed)
                {
                    arm.Result.Total.Add(TimeSpan.FromMilliseconds(phases.Load + phases.Decide + phases.Save));
                    arm.Result.Phases.Add(phases);
                }
                if (arm.FloorDb is { } floorDb)
                {
                    var elapsed = await floor.WriteTimedAsync(floorDb, post);
                    if (timed) arm.Floor.Add(elapsed);
                }
            }
        }
        foreach (var arm in arms)
        {
            arm.Result.RoundTrips = arm.RoundTrips.Trips;
            arm.Result.FirstPost = arm.RoundTrips.First;
        }

        var info = await LongConversation.EnsureAsync(ctx);
        var longStreams = NewStreams();
        var warmLoad = Stopwatch.StartNew();
        await using (var session = ctx.Store.LightweightSession())
            _ = await longStreams.LoadAsync(session, info.Id, CancellationToken.None);
        var fillMs = warmLoad.Elapsed.TotalMilliseconds;
        // The same cold load in its two halves: reading and deserializing the events, then the fold.
        IReadOnlyList<JasperFx.Events.IEvent> stream;
        var fetch = Stopwatch.StartNew();
        await using (var session = ctx.Store.LightweightSession())
            stream = await session.Events.FetchStreamAsync(info.Id);
        var fetchMs = fetch.Elapsed.TotalMilliseconds;
        var fold = Stopwatch.StartNew();
        var folded = Conversation.Fold(stream.Select(e => e.Data));
        var foldMs = fold.Elapsed.TotalMilliseconds;
        Markdown.Line($"The {ctx.Sizes.LongMessages:N0}-message conversation: filling its cache (the first load, a fold of the whole stream of {stream.Count:N0} events) " +
                      $"took {Markdown.Ms(fillMs)} ms; measured apart, FetchStreamAsync took {Markdown.Ms(fetchMs)} ms and Conversation.Fold {Markdown.Ms(foldMs)} ms " +
                      $"({folded?.Nodes.Count:N0} nodes).");
        stream = [];
        var longCached = await PostManyAsync(ctx.Store, longStreams, [info.Id], warmup: 3, sizes.LongPostsCached, ctx.Text(3),
            $"post to the {ctx.Sizes.LongMessages:N0}-message conversation, warm cache", LongConversation.Owner);
        var longCold = await PostManyAsync(ctx.Store, streams: null, [info.Id], warmup: 0, sizes.LongPostsCold, ctx.Text(4),
            $"post to the {ctx.Sizes.LongMessages:N0}-message conversation, empty cache (folds the whole stream)", LongConversation.Owner);

        await TreeCheck.EnsureSoundAsync(ctx);
        Markdown.Latencies([asyncOff.Result.Total, asyncOff.Floor, syncOn.Result.Total, syncOn.Floor, trustedOff.Result.Total, longCached.Total, longCold.Total]);
        Markdown.Line("Goal: post-message p50 ≤ 5 ms (the first row). The floor rows are the database work alone: the same event rows and " +
                      "one upsert per affected document, sent as one batch in one transaction, JSON serialized beforehand.");
        Markdown.Table(["where the time of a post went (mean ms)", "load (read new events, fold)", "decide + queue append", "SaveChangesAsync (events + inline projections)", "round trips per post (+ COMMIT)"],
            new[] { asyncOff.Result, syncOn.Result, trustedOff.Result, longCached, longCold }.Select(p => (IReadOnlyList<string>)
            [
                p.Total.Name,
                Markdown.Ms(p.Phases.Average(x => x.Load)), Markdown.Ms(p.Phases.Average(x => x.Decide)), Markdown.Ms(p.Phases.Average(x => x.Save)),
                $"{(double)p.RoundTrips / p.Total.Count:0.#}",
            ]));
        Markdown.Line("What Marten sent for one timed post (synchronous_commit=off run):");
        Markdown.Code(asyncOff.Result.FirstPost);
        var eventBytes = await ctx.ScalarAsync<long>("""
            select coalesce(avg(octet_length(data::text)), 0)::bigint from (
                select data from sambung.mt_events where stream_id = $1 and type = 'reply_requested' order by seq_id desc limit 10) x
            """, info.Id);
        Markdown.Line($"Size of one ReplyRequested event at the end of the long conversation: {Markdown.Megabytes(eventBytes)} of JSON " +
                      "(its PromptContext names the path by its last node and length, so it does not grow with the conversation).");
    }

    // As the app wires it: one cache for the process; outside a request the audit source stamps "system".
    private static ConversationStreams NewStreams() => new(new ConversationCache(), new AuditSource(new HttpContextAccessor()));

    // The seed: conversations with some history; each round adds one exchange to every conversation in one
    // SaveChangesAsync (see ScriptedConversation for why not more).
    private static async Task<List<Guid>> SeedAsync(BenchContext ctx)
    {
        var text = ctx.Text(0);
        var at = DateTimeOffset.UtcNow.AddDays(-7);
        var scripts = Enumerable.Range(0, ctx.Sizes.PostConversations)
            .Select(_ => ScriptedConversation.Start(Guid.CreateVersion7(), Owner, text.Message(), text.Message(), at)).ToList();
        for (var round = 0; round <= ctx.Sizes.PostSeedExchanges; round++)
        {
            await using var session = ctx.Store.LightweightSession();
            session.SetHeader(AuditProjection.SourceHeader, "127.0.0.1");
            foreach (var script in scripts)
            {
                if (round > 0) script.Exchange(text.Message(), text.Message(), at = at.AddMinutes(1));
                script.Flush(session);
            }
            await session.SaveChangesAsync();
        }
        await TreeCheck.EnsureSoundAsync(ctx);
        return scripts.Select(s => s.Id).ToList();
    }

    // Posts to the long conversation, one after the other. streams == null: every post starts from an empty cache.
    private static async Task<PhaseSamples> PostManyAsync(IDocumentStore store, ConversationStreams? streams, IReadOnlyList<Guid> conversations,
        int warmup, int count, TextGenerator text, string name, string owner)
    {
        var result = new PhaseSamples(name);
        using var roundTrips = new RoundTrips();
        for (var i = 0; i < warmup + count; i++)
        {
            var id = conversations[i % conversations.Count];
            var postStreams = streams ?? NewStreams();
            var (phases, post) = await PostAsync(store, postStreams, id, owner, text.Message(), i < warmup ? null : roundTrips, trusted: null);
            await CompleteAsync(store, postStreams, id, post.ReplyId, text.Message(), trusted: null);
            if (i < warmup) continue;
            result.Total.Add(TimeSpan.FromMilliseconds(phases.Load + phases.Decide + phases.Save));
            result.Phases.Add(phases);
        }
        result.RoundTrips = roundTrips.Trips;
        result.FirstPost = roundTrips.First;
        return result;
    }

    // One post as ConversationCommandHandler makes it. trusted: the what-if of docs/benchmarks.md, where a command
    // whose conversation is cached skips the read (the append's expected version still catches another writer)
    // and a successful commit updates the cache.
    private static async Task<((double Load, double Decide, double Save), PhysicalFloor.Post)> PostAsync(
        IDocumentStore store, ConversationStreams streams, Guid id, string owner, string text, RoundTrips? roundTrips, ConversationCache? trusted)
    {
        var messageId = Guid.CreateVersion7();
        var replyId = Guid.CreateVersion7();
        var watch = Stopwatch.StartNew();
        await using var session = store.LightweightSession();
        roundTrips?.Begin();
        var state = trusted?.Find(id) ?? await streams.LoadOwnedAsync(session, id, owner, CancellationToken.None)
                    ?? throw new InvalidOperationException("The conversation was not found.");
        var load = watch.Elapsed.TotalMilliseconds;
        var decision = ConversationDecisions.Decide(new PostUserMessage(id, messageId, null, text, replyId, owner), state, DateTimeOffset.UtcNow);
        var result = streams.Append(session, state, decision, expectedVersion: state.Version);
        if (result.Status != CommandStatus.Applied) throw new InvalidOperationException($"The post was not applied: {result}");
        var decided = watch.Elapsed.TotalMilliseconds;
        await session.SaveChangesAsync();
        trusted?.Keep(Conversation.Fold(decision.Events, state)!);
        var saved = watch.Elapsed.TotalMilliseconds;
        roundTrips?.End();
        return ((load, decided - load, saved - decided), new PhysicalFloor.Post(id, owner, replyId, state.Version, decision.Events));
    }

    private static async Task CompleteAsync(IDocumentStore store, ConversationStreams streams, Guid id, Guid replyId, string text, ConversationCache? trusted)
    {
        await using var session = store.LightweightSession();
        var state = trusted?.Find(id) ?? await streams.LoadAsync(session, id, CancellationToken.None) ?? throw new InvalidOperationException("The conversation was not found.");
        var decision = ConversationDecisions.Decide(new CompleteReply(id, replyId, text, "stop", new TokenUsage(400, text.Length / 4),
            TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(3), "gpt-4o-mini-2024-07-18"), state, DateTimeOffset.UtcNow);
        if (streams.Append(session, state, decision).Status != CommandStatus.Applied)
            throw new InvalidOperationException("The reply could not be completed.");
        await session.SaveChangesAsync();
        trusted?.Keep(Conversation.Fold(decision.Events, state)!);
    }
}
