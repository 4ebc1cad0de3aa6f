using JasperFx;
using Marten;
using Sambung.Events.Accounts;
using Sambung.Events.Conversations;
using Sambung.Events.Library;
using Sambung.Projections.Conversations;
using Sambung.Web.Features.Chats;
using Sambung.Web.Features.Streaming;
using Wolverine;

namespace Sambung.Web.Features.Accounts;

// Deleting an account purges every conversation as the conversation core defines it (text masked in the event
// store, read models gone), masks the user's folder and tag names and account details, and removes the account.
// The audit trail keeps that it happened.
public sealed class AccountDeletion(IDocumentStore store, IMessageBus bus, ReplyGenerator generator, TimeProvider clock)
{
    public const string Reason = "account-deleted";

    public async Task DeleteAsync(string userId, CancellationToken ct)
    {
        IReadOnlyList<Guid> chats;
        await using (var query = store.QuerySession())
            chats = await query.Query<ChatListItem>().Where(x => x.OwnerId == userId).Select(x => x.Id).ToListAsync(ct);

        foreach (var chat in chats)
        {
            var result = await PurgeAsync(chat, userId, ct);
            if (result.Status == CommandStatus.Refused && result.Refusal == Sambung.Events.Refusals.ReplyInProgress)
            {
                await EndRunningRepliesAsync(chat, userId, ct);
                await PurgeAsync(chat, userId, ct);
            }
        }

        await using var session = store.LightweightSession();
        var prompts = await Prompts.PromptErasure.DeleteAllAsync(session, userId, clock.GetUtcNow(), ct);
        session.DeleteWhere<UserSession>(s => s.UserId == userId);
        session.DeleteWhere<Avatar>(a => a.UserId == userId);
        session.Delete<SambungUser>(userId);
        session.Events.Append(AccountStream.IdFor(userId), new AccountDeleted(userId, userId, clock.GetUtcNow()));
        await session.SaveChangesAsync(ct);

        await store.Advanced.ApplyEventDataMasking(m =>
        {
            m.IncludeStream(UserLibrary.IdFor(userId));
            m.IncludeStream(AccountStream.IdFor(userId));
            foreach (var prompt in prompts) m.IncludeStream(prompt);
        }, ct);
        await Prompts.PromptErasure.ForgetAsync(store, userId, ct);
    }

    private async Task<CommandResult> PurgeAsync(Guid chat, string userId, CancellationToken ct)
    {
        try
        {
            return await bus.InvokeAsync<CommandResult>(new ConversationCommand(new PurgeConversation(chat, userId, Reason)), ct);
        }
        catch (ConcurrencyException)
        {
            return await bus.InvokeAsync<CommandResult>(new ConversationCommand(new PurgeConversation(chat, userId, Reason)), ct);
        }
    }

    private async Task EndRunningRepliesAsync(Guid chat, string userId, CancellationToken ct)
    {
        await using var query = store.QuerySession();
        var pending = await query.Query<TreeNode>().Where(n => n.ConversationId == chat && n.Status == ReplyStatus.Requested).Select(n => n.Id).ToListAsync(ct);
        foreach (var reply in pending)
        {
            generator.Stop(reply, userId);
            await bus.InvokeAsync<CommandResult>(new ConversationCommand(new StopReply(chat, reply, "", userId)), ct);
        }
    }
}
