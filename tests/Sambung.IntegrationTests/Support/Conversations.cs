using Alba;
using Marten;
using Sambung.Events.Conversations;
using Sambung.Web.Features.Chats;
using Wolverine;

namespace Sambung.IntegrationTests.Support;

// Drives conversations through the app's own command pipeline (Wolverine handler, decisions, Marten), without
// a provider: replies are completed by hand where a test needs them finished.
public sealed class Conversations(IAlbaHost host, string owner = Conversations.Owner)
{
    public const string Owner = "local";
    public static readonly ModelRef Model = new("openai", "fake-gpt");

    public async Task<(Guid Id, Guid Message, Guid Reply)> StartAsync(string text, string? systemPrompt = null)
    {
        var (id, message, reply) = (Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7());
        var result = await host.MessageBus().InvokeAsync<CommandResult>(new StartConversation(id, owner, message, text, reply, Model, systemPrompt));
        Assert.Equal(CommandStatus.Applied, result.Status);
        return (id, message, reply);
    }

    public async Task<CommandResult> RunAsync(IConversationCommand command, long? expectedVersion = null) =>
        await host.MessageBus().InvokeAsync<CommandResult>(new ConversationCommand(command, expectedVersion));

    public async Task<CommandResult> AppliedAsync(IConversationCommand command)
    {
        var result = await RunAsync(command);
        Assert.True(result.Status == CommandStatus.Applied, $"{command.GetType().Name}: {result.Status} {result.Refusal}");
        return result;
    }

    public Task CompleteAsync(Guid id, Guid reply, string text, long input = 10, long output = 5) =>
        AppliedAsync(new CompleteReply(id, reply, text, "stop", new TokenUsage(input, output), TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(1), "fake-gpt-0001"));

    public async Task<(Guid Message, Guid Reply)> PostAsync(Guid id, string text, Guid? parent = null)
    {
        var (message, reply) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        await AppliedAsync(new PostUserMessage(id, message, parent, text, reply, owner));
        return (message, reply);
    }

    public async Task<(Guid Id, Guid Message, Guid Reply)> ExchangeAsync(string question, string answer)
    {
        var (id, message, reply) = await StartAsync(question);
        await CompleteAsync(id, reply, answer);
        return (id, message, reply);
    }

    public async Task<IReadOnlyList<object>> EventsAsync(Guid id)
    {
        await using var session = host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        return (await session.Events.FetchStreamAsync(id)).Select(e => e.Data).ToList();
    }
}
