using JasperFx;
using Marten;
using Sambung.Events.Conversations;
using Sambung.Projections.Conversations;
using Wolverine;

namespace Sambung.Web.Features.Chats;

// Purges what has been in the Trash for 30 days. Runs hourly; each purge is an ordinary command, recorded as such.
public sealed class TrashSweeper(IServiceScopeFactory scopes, TimeProvider clock, ILogger<TrashSweeper> log) : BackgroundService
{
    public const string ExpiredReason = "trash-expired";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1), clock);
        do
        {
            try
            {
                await SweepAsync(clock.GetUtcNow(), stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "Emptying the Trash failed; trying again in an hour");
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public async Task<int> SweepAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var session = scope.ServiceProvider.GetRequiredService<IQuerySession>();
        var bus = scope.ServiceProvider.GetRequiredService<IMessageBus>();
        var cutoff = now - ConversationDecisions.TrashRetention;
        var due = await session.Query<ChatListItem>()
            .Where(x => x.InTrash && x.DeletedAt <= cutoff)
            .Select(x => new { x.Id, x.OwnerId })
            .ToListAsync(ct);

        var purged = 0;
        foreach (var chat in due)
        {
            try
            {
                var result = await bus.InvokeAsync<CommandResult>(
                    new ConversationCommand(new PurgeConversation(chat.Id, chat.OwnerId, ExpiredReason)), ct);
                if (result.Status == CommandStatus.Applied) purged++;
            }
            catch (ConcurrencyException)
            {
                // Restored or changed meanwhile: the next sweep decides again.
            }
        }
        return purged;
    }
}
