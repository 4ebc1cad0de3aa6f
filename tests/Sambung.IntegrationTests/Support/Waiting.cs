using Marten;
using Sambung.Projections.Conversations;

namespace Sambung.IntegrationTests.Support;

public static class Waiting
{
    // Replies are generated in the background; wait (bounded, never asserted on) until this one has ended.
    public static async Task<TreeNode> ForReplyToEndAsync(this IDocumentStore store, Guid replyId, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            await using var session = store.QuerySession();
            var node = await session.LoadAsync<TreeNode>(replyId);
            if (node is { IsPending: false }) return node;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Reply {replyId} did not end; last seen: {node?.Status}");
            await Task.Delay(50);
        }
    }

    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out waiting for {what}");
            await Task.Delay(50);
        }
    }
}
