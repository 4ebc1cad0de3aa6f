using System.Collections.Concurrent;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Sambung.Web.Features.Accounts;

namespace Sambung.Web.Features.Chats;

// Something in a user's chat list changed (a chat started, renamed, pinned, moved, answered…), sent after the commit.
public sealed record ChatListChanged(string OwnerId);

public static class ChatListChangedHandler
{
    public static void Handle(ChatListChanged message, ChatListSignals signals) => signals.Publish(message.OwnerId);
}

// Every open tab of a user listens here (one SSE connection each) and refreshes its sidebar when told: a reply
// finished or a chat renamed in one tab shows in the others within a moment, with no polling.
public sealed class ChatListSignals
{
    private static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(25);

    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Channel<bool>, byte>> listeners = new();

    public void Publish(string ownerId)
    {
        if (!listeners.TryGetValue(ownerId, out var tabs)) return;
        foreach (var tab in tabs.Keys) tab.Writer.TryWrite(true);
    }

    public static void MapChatListEvents(WebApplication app) =>
        app.MapGet("/events/chats", (CurrentUser user, ChatListSignals signals, TimeProvider clock, CancellationToken ct) =>
            TypedResults.ServerSentEvents(signals.ListenAsync(user.Id, clock, ct)));

    private async IAsyncEnumerable<SseItem<string>> ListenAsync(string ownerId, TimeProvider clock, [EnumeratorCancellation] CancellationToken ct)
    {
        // One slot is enough: a change not yet sent covers any that follow it.
        var tab = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        var tabs = listeners.GetOrAdd(ownerId, _ => new());
        tabs.TryAdd(tab, 0);
        try
        {
            yield return new SseItem<string>("", "ready");
            while (!ct.IsCancellationRequested)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
                wait.CancelAfter(KeepAlive);
                bool changed;
                try
                {
                    changed = await tab.Reader.WaitToReadAsync(wait.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    changed = false;
                }
                if (!changed)
                {
                    yield return new SseItem<string>("", "ping"); // keeps proxies from closing an idle stream
                    continue;
                }
                await Task.Delay(Gather, clock, ct); // several changes in a row: one refresh
                while (tab.Reader.TryRead(out _)) { }
                yield return new SseItem<string>("changed", "chats");
            }
        }
        finally
        {
            tabs.TryRemove(tab, out _);
        }
    }
}
