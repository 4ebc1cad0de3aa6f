using Alba;
using Marten;
using Sambung.Events.Conversations;
using Sambung.IntegrationTests.Support;
using Sambung.Web.Features.Chats;
using Sambung.Web.Features.Streaming;
using Wolverine;

namespace Sambung.IntegrationTests;

// A reply asked of a conversation the app holds in memory starts before the database confirms that memory is
// current (ConversationCommandHandler). These prove that a start from an out-of-date memory never decides what is
// stored or what the model is sent.
public sealed class EarlyStartTests(AppFixture app) : AppTest(app)
{
    private Conversations Chats => new(Host);
    private ConversationCache Cache => Host.Services.GetRequiredService<ConversationCache>();

    private async Task<CommandResult> SendAsync(Guid id, Guid message, Guid parent, string text, Guid reply, long? expectedVersion = null) =>
        await Host.MessageBus().InvokeAsync<CommandResult>(new ConversationCommand(
            new PostUserMessage(id, message, parent, text, reply, Conversations.Owner), expectedVersion, Generate: true));

    private static IEnumerable<string> SystemPrompts(Sambung.FakeProviders.RecordedRequest request) =>
        request.Json()!["messages"]!.AsArray().Where(m => (string?)m!["role"] == "system").Select(m => (string)m!["content"]!);

    [Fact]
    public async Task after_a_commit_the_memory_holds_the_stored_state_so_the_next_reply_starts_from_it()
    {
        App.Llm.DefaultReply = Sambung.FakeProviders.FakeReply.Of("First answer.");
        var (id, _, first) = await Chats.StartAsync("Hello");
        await Chats.CompleteAsync(id, first, "First answer.");

        var stored = (await Chats.EventsAsync(id)).Count;
        Assert.Equal(stored, Cache.Find(id)?.Version); // kept after the commit, not fetched again

        var (message, reply) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        App.Llm.DefaultReply = Sambung.FakeProviders.FakeReply.Of("Second answer.");
        var result = await SendAsync(id, message, first, "And then?", reply, expectedVersion: stored);
        Assert.Equal(CommandStatus.Applied, result.Status);
        Assert.Equal("Second answer.", (await Store.ForReplyToEndAsync(reply)).Text);
        var request = Assert.Single(App.Llm.Requests, r => r.Path.EndsWith("/chat/completions"));
        Assert.Equal(["Hello", "First answer.", "And then?"], request.Json()!["messages"]!.AsArray().Select(m => (string)m!["content"]!));
    }

    [Fact]
    public async Task an_early_start_from_a_memory_that_is_behind_is_abandoned_and_the_reply_comes_from_what_is_stored()
    {
        var (id, _, first) = await Chats.StartAsync("Hello");
        await Chats.CompleteAsync(id, first, "First answer.");
        Assert.NotNull(Cache.Find(id));

        // Another app process changes the system prompt: this one's memory does not know.
        await using (var other = Store.LightweightSession())
        {
            other.Events.Append(id, new SystemPromptChanged("Answer in French.", Conversations.Owner, DateTimeOffset.UtcNow));
            await other.SaveChangesAsync();
        }

        var (message, reply) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        App.Llm.DefaultReply = Sambung.FakeProviders.FakeReply.Of("Bonjour.");
        Assert.Equal(CommandStatus.Applied, (await SendAsync(id, message, first, "And then?", reply)).Status);

        var ended = await Store.ForReplyToEndAsync(reply);
        Assert.Equal(ReplyStatus.Completed, ended.Status);
        Assert.Equal("Bonjour.", ended.Text);
        // The stale start may have reached the provider before it was cancelled; the reply stored is the one asked
        // with the system prompt the database holds, and its end is recorded once.
        var answered = App.Llm.Requests.Where(r => r.Path.EndsWith("/chat/completions")).Last();
        Assert.Equal(["Answer in French."], SystemPrompts(answered));
        var events = await Chats.EventsAsync(id);
        Assert.Single(events.OfType<ReplyRequested>(), r => r.NodeId == reply);
        Assert.Single(events.OfType<ReplyCompleted>(), r => r.NodeId == reply);
        Assert.DoesNotContain(events, e => e is ReplyFailed or ReplyStopped);
        Assert.Null(Host.Services.GetRequiredService<LiveReplies>().Find(reply));
    }

    [Fact]
    public async Task a_send_refused_as_a_conflict_never_reaches_the_provider_and_leaves_its_ids_free()
    {
        var (id, _, first) = await Chats.StartAsync("Hello");
        await Chats.CompleteAsync(id, first, "First answer.");
        var stored = (await Chats.EventsAsync(id)).Count;
        await Chats.AppliedAsync(new RenameConversation(id, "Renamed meanwhile", Conversations.Owner));

        var (message, reply) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        // The page last saw the chat before it was renamed.
        Assert.Equal(CommandStatus.Conflict, (await SendAsync(id, message, first, "And then?", reply, expectedVersion: stored)).Status);
        Assert.Null(Host.Services.GetRequiredService<LiveReplies>().Find(reply));
        Assert.DoesNotContain(App.Llm.Requests, r => r.Path.EndsWith("/chat/completions"));

        // The same ids are accepted once the page is current.
        App.Llm.DefaultReply = Sambung.FakeProviders.FakeReply.Of("Now it works.");
        Assert.Equal(CommandStatus.Applied, (await SendAsync(id, message, first, "And then?", reply, expectedVersion: stored + 1)).Status);
        Assert.Equal("Now it works.", (await Store.ForReplyToEndAsync(reply)).Text);
    }

    // Another tab, or another app process, changes the chat between this command's decision and its commit, so the
    // commit fails. The reply it started stops at once (it does not generate, and get billed, until the database is
    // asked about it). The command is then decided again on what is stored: a change the sender had not seen (here
    // the system prompt) is a conflict, and the ids stay free.
    [Theory]
    [InlineData(true)]  // the app holds the chat in memory: the reply started before the database was asked
    [InlineData(false)] // it does not: the reply started after the decision, while the events commit
    public async Task a_send_whose_commit_meets_a_change_the_sender_had_not_seen_stops_its_reply_at_once_and_is_a_conflict(bool inMemory)
    {
        var (id, _, first) = await Chats.StartAsync("Hello");
        await Chats.CompleteAsync(id, first, "First answer.");
        var seen = (await Chats.EventsAsync(id)).Count;
        if (!inMemory) Cache.Clear();
        App.Llm.Enqueue(Sambung.FakeProviders.FakeReply.Of("Too late.") with { FirstTokenDelay = TimeSpan.FromSeconds(30) });
        App.Llm.DefaultReply = Sambung.FakeProviders.FakeReply.Of("Now it works.");

        var (message, reply) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        var result = await WithWriteBeforeCommitAsync(id, new SystemPromptChanged("Written meanwhile.", Conversations.Owner, DateTimeOffset.UtcNow),
            () => Host.MessageBus().RunAndGenerateAsync(new PostUserMessage(id, message, first, "And then?", reply, Conversations.Owner), seen, default));

        Assert.Equal(CommandStatus.Conflict, result.Status);
        Assert.Null(Host.Services.GetRequiredService<LiveReplies>().Find(reply));
        await Waiting.UntilAsync(() => Task.FromResult(App.Llm.ClientDisconnects >= 1), "the provider call to be cancelled", TimeSpan.FromSeconds(3));

        // Nothing of it was stored, and the same ids are accepted at once from a page that is current.
        Assert.Equal(CommandStatus.Applied, (await Host.MessageBus().RunAndGenerateAsync(
            new PostUserMessage(id, message, first, "And then?", reply, Conversations.Owner), seen + 1, default)).Status);
        var ended = await Store.ForReplyToEndAsync(reply);
        Assert.Equal(ReplyStatus.Completed, ended.Status);
        Assert.Equal("Now it works.", ended.Text);
        var events = await Chats.EventsAsync(id);
        Assert.Single(events.OfType<ReplyRequested>(), r => r.NodeId == reply);
        Assert.DoesNotContain(events, e => e is ReplyFailed or ReplyStopped);
    }

    // The automatic title landing between a send's decision and its commit is nothing the sender had to see: the
    // send is decided again and stored, with one reply, not refused as a conflict.
    [Fact]
    public async Task a_send_whose_commit_meets_the_automatic_title_is_stored_with_one_reply()
    {
        var (id, _, first) = await Chats.StartAsync("Hello");
        await Chats.CompleteAsync(id, first, "First answer.");
        var seen = (await Chats.EventsAsync(id)).Count;
        App.Llm.Enqueue(Sambung.FakeProviders.FakeReply.Of("Too late.") with { FirstTokenDelay = TimeSpan.FromSeconds(30) });
        App.Llm.DefaultReply = Sambung.FakeProviders.FakeReply.Of("Answered once.");

        var (message, reply) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        var result = await WithWriteBeforeCommitAsync(id, new ConversationRenamed("A title by the model", Automatic: true, Conversations.Owner, DateTimeOffset.UtcNow),
            () => Host.MessageBus().RunAndGenerateAsync(new PostUserMessage(id, message, first, "And then?", reply, Conversations.Owner), seen, default));

        Assert.Equal(CommandStatus.Applied, result.Status);
        var ended = await Store.ForReplyToEndAsync(reply);
        Assert.Equal("Answered once.", ended.Text);
        await Waiting.UntilAsync(() => Task.FromResult(App.Llm.ClientDisconnects >= 1), "the first attempt's provider call to be cancelled", TimeSpan.FromSeconds(3));
        var events = await Chats.EventsAsync(id);
        Assert.Single(events.OfType<ReplyRequested>(), r => r.NodeId == reply);
        Assert.Single(events.OfType<ReplyCompleted>(), r => r.NodeId == reply);
        Assert.Equal("A title by the model", events.OfType<ConversationRenamed>().Last().Title);
    }

    // Runs a command while another writer appends this event to the chat just before the command's commit (once the
    // provider has the command's request).
    private async Task<CommandResult> WithWriteBeforeCommitAsync(Guid chat, object meanwhile, Func<Task<CommandResult>> command)
    {
        var options = ((DocumentStore)Store).Options;
        var writer = new WriteBeforeCommit(Store, App.Llm, chat, meanwhile);
        options.Listeners.Add(writer);
        try
        {
            var result = await command();
            Assert.True(writer.Wrote);
            return result;
        }
        finally
        {
            options.Listeners.Remove(writer);
        }
    }

    // Once the provider has this chat's request, another writer appends to the chat just before the commit.
    private sealed class WriteBeforeCommit(IDocumentStore store, Sambung.FakeProviders.FakeLlmServer llm, Guid chat, object meanwhile) : DocumentSessionListenerBase
    {
        private int fired;

        public bool Wrote { get; private set; }

        public override async Task BeforeSaveChangesAsync(IDocumentSession session, CancellationToken token)
        {
            if (!session.PendingChanges.Streams().Any(s => s.Id == chat) || Interlocked.Exchange(ref fired, 1) == 1) return;
            // This test's requests only (the recorded ones are cleared between tests; a call another test cancelled may
            // still be counted as active for a moment).
            await Waiting.UntilAsync(() => Task.FromResult(llm.Requests.Any(r => r.Path.EndsWith("/chat/completions"))), "the provider to have the request", TimeSpan.FromSeconds(10));
            await using var other = store.LightweightSession();
            other.Events.Append(chat, meanwhile);
            await other.SaveChangesAsync(token);
            Wrote = true;
        }
    }
}
