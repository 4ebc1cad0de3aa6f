using Sambung.Events.Conversations;
using Sambung.Web.Features.Chats;
using Wolverine;

namespace Sambung.Web.Infrastructure;

// Wolverine compiles each handler the first time its message is used (about 3 s on 2 cores). Sending each one a
// command that changes nothing, in the background right after start-up, keeps that pause away from the first
// person who sends a message.
public sealed class HandlerWarmup(IServiceScopeFactory scopes, IHostApplicationLifetime lifetime, ILogger<HandlerWarmup> log) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() => _ = Task.Run(WarmUpAsync));
        return Task.CompletedTask;
    }

    private async Task WarmUpAsync()
    {
        var nobody = Guid.Empty;
        object[] noOps =
        [
            new StartChat(new StartConversation(Guid.CreateVersion7(), "", nobody, "", nobody, new("", ""))), // refused: empty text
            new StartConversation(Guid.CreateVersion7(), "", nobody, "", nobody, new("", "")),
            new ConversationCommand(new StopReply(nobody, nobody, "", "")),                    // not found
            new Sambung.Web.Features.Prompts.PromptCommand(new Sambung.Events.Prompts.DeletePrompt(nobody, ""), nobody), // not found
        ];
        foreach (var command in noOps)
        {
            if (lifetime.ApplicationStopping.IsCancellationRequested) return;
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<IMessageBus>().InvokeAsync<CommandResult>(command, lifetime.ApplicationStopping);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "Warm-up of the {Command} handler failed", command.GetType().Name);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
