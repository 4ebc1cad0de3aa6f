using System.Diagnostics;
using Marten;
using Sambung.Events.Conversations;
using Sambung.Projections.Audit;
using Sambung.Projections.Conversations;

namespace Sambung.Benchmarks;

public sealed record LongConversationInfo(Guid Id, int UserMessages, int Replies, int Branches);

// One conversation with 5,000 messages (2,500 user messages, 2,500 replies) and 50 branch points: every 50th user
// message is edited, so an abandoned version (with its reply) stays beside the one the conversation continues from.
// The last reply is the deepest leaf and the active one. Shared by open-long-conversation, post-message and workspace.
public static class LongConversation
{
    public const string Owner = "bench-long";
    public static async Task<LongConversationInfo> EnsureAsync(BenchContext ctx)
    {
        await using (var query = ctx.Store.QuerySession())
        {
            var existing = await query.Query<ChatListItem>().Where(x => x.OwnerId == Owner).FirstOrDefaultAsync();
            if (existing is not null)
                return new(existing.Id, existing.MessageCount / 2, existing.MessageCount / 2, ctx.Sizes.LongBranches);
        }
        return await BuildAsync(ctx, Owner);
    }

    // The workspace scenario builds one for the bench user it registered through the app.
    public static async Task<LongConversationInfo> BuildAsync(BenchContext ctx, string owner)
    {
        var text = ctx.Text(5_000);
        var pairs = ctx.Sizes.LongMessages / 2;
        var branchEvery = pairs / ctx.Sizes.LongBranches;
        var at = DateTimeOffset.UtcNow.AddDays(-60);
        var watch = Stopwatch.StartNew();

        var conversation = ScriptedConversation.Start(Guid.CreateVersion7(), owner, text.Message(), text.Message(), at);
        await FlushAsync(ctx, conversation);
        int users = 1, replies = 1, branches = 0;
        while (users < pairs)
        {
            at = at.AddMinutes(1);
            if (users % branchEvery == branchEvery / 2 && branches < ctx.Sizes.LongBranches)
            {
                conversation.Edit(conversation.LastUserMessage(), text.Message(), text.Message(), at);
                branches++;
            }
            else conversation.Exchange(text.Message(), text.Message(), at);
            users++;
            replies++;
            // One exchange per SaveChangesAsync (see ScriptedConversation).
            await FlushAsync(ctx, conversation);
        }

        var elapsed = watch.Elapsed;
        var bytes = await ctx.ScalarAsync<long>("select coalesce(sum(pg_column_size(data)), 0)::bigint from sambung.mt_events where stream_id = $1", conversation.Id);
        Markdown.Line($"Built the long conversation: {users:N0} user messages + {replies:N0} replies, {branches} edited (branched) user messages, " +
                      $"{conversation.EventsWritten:N0} events ({Markdown.Megabytes(bytes)} of event data as stored) in {Markdown.Seconds(elapsed)} " +
                      $"({conversation.EventsWritten / elapsed.TotalSeconds:N0} events/s; one exchange = 3 events per SaveChangesAsync, inline projections on).");
        Markdown.Line("");
        await TreeCheck.EnsureSoundAsync(ctx);
        return new(conversation.Id, users, replies, branches);
    }

    private static async Task FlushAsync(BenchContext ctx, ScriptedConversation conversation)
    {
        await using var session = ctx.Store.LightweightSession();
        session.SetHeader(AuditProjection.SourceHeader, "127.0.0.1");
        conversation.Flush(session);
        await session.SaveChangesAsync();
    }
}
