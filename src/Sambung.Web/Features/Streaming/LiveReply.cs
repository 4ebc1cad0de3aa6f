using System.Collections.Concurrent;
using System.Text;
using System.Threading.Channels;

namespace Sambung.Web.Features.Streaming;

// A reply being generated right now: the text so far and whoever is watching it. It lives in memory only;
// the event stream gets the whole text once, when the reply ends.
public sealed class LiveReply(Guid conversationId, Guid replyId, string ownerId)
{
    private readonly Lock gate = new();
    private readonly StringBuilder text = new();
    private readonly List<Channel<string>> watchers = [];
    private readonly System.Diagnostics.Stopwatch clock = System.Diagnostics.Stopwatch.StartNew();
    private bool ended;

    public Guid ConversationId { get; } = conversationId;
    public Guid ReplyId { get; } = replyId;
    public string OwnerId { get; } = ownerId;
    public CancellationTokenSource Cancellation { get; } = new();
    public string? StoppedBy { get; private set; }
    public TimeSpan Elapsed => clock.Elapsed;

    public string Text
    {
        get { lock (gate) return text.ToString(); }
    }

    // The watchers' streams go on inline, on the generating thread, outside the lock: the piece reaches the browser
    // without waiting for another thread. Appends come one after the other from the one generation, so every watcher
    // still gets the pieces in order.
    public void Append(string delta)
    {
        Channel<string>[] targets;
        lock (gate)
        {
            text.Append(delta);
            if (watchers.Count == 0) return;
            targets = [.. watchers];
        }
        foreach (var watcher in targets) watcher.Writer.TryWrite(delta);
    }

    // The text so far and the deltas after it, taken atomically so nothing is missed or sent twice.
    // Updates is null when the reply has already ended.
    public (string SoFar, ChannelReader<string>? Updates) Watch()
    {
        lock (gate)
        {
            if (ended) return (text.ToString(), null);
            var channel = Channel.CreateUnbounded<string>(new() { SingleReader = true, SingleWriter = true, AllowSynchronousContinuations = true });
            watchers.Add(channel);
            return (text.ToString(), channel.Reader);
        }
    }

    public void Unwatch(ChannelReader<string> reader)
    {
        lock (gate) watchers.RemoveAll(w => w.Reader == reader);
    }

    public void Stop(string by)
    {
        StoppedBy ??= by;
        Cancellation.Cancel();
    }

    public void End()
    {
        Channel<string>[] targets;
        lock (gate)
        {
            ended = true;
            targets = [.. watchers];
            watchers.Clear();
        }
        foreach (var watcher in targets) watcher.Writer.TryComplete();
    }
}

public sealed class LiveReplies
{
    private readonly ConcurrentDictionary<Guid, LiveReply> replies = new();

    public LiveReply? TryStart(Guid conversationId, Guid replyId, string ownerId)
    {
        var live = new LiveReply(conversationId, replyId, ownerId);
        return replies.TryAdd(replyId, live) ? live : null;
    }

    public LiveReply? Find(Guid replyId) => replies.GetValueOrDefault(replyId);

    public void Remove(LiveReply live) => replies.TryRemove(new(live.ReplyId, live));

    public IReadOnlyCollection<LiveReply> All => replies.Values.ToList();
}
