using System.Text.Json;
using JasperFx;
using Marten;
using Marten.Events;
using Npgsql;
using Sambung.Events.Conversations;
using Sambung.Events.Library;
using Sambung.FakeProviders;
using Sambung.IntegrationTests.Support;
using Sambung.Projections;
using Sambung.Projections.Audit;
using Sambung.Projections.Conversations;
using Sambung.Projections.Library;
using Sambung.Projections.Search;
using Sambung.Projections.Usage;
using Sambung.Web.Features.Chats;
using Sambung.Web.Features.Streaming;
using Sambung.Web.Infrastructure;
using Wolverine;

namespace Sambung.IntegrationTests;

public sealed class ConversationCoreTests(AppFixture app) : AppTest(app)
{
    private Conversations Chats => new(Host);
    private NpgsqlDataSource Db => Host.Services.GetRequiredService<NpgsqlDataSource>();
    private const string Owner = Conversations.Owner;

    [Fact]
    public async Task a_command_from_a_stale_version_is_refused_and_nothing_is_lost()
    {
        var (id, _, reply) = await Chats.ExchangeAsync("Hello", "Hi");

        var result = await Chats.RunAsync(new PostUserMessage(id, Guid.NewGuid(), null, "From an old tab", Guid.NewGuid(), Owner), expectedVersion: 2);

        Assert.Equal(CommandStatus.Conflict, result.Status);
        Assert.Equal(4, (await Chats.EventsAsync(id)).Count);
        var current = await Chats.RunAsync(new PostUserMessage(id, Guid.NewGuid(), null, "From this tab", Guid.NewGuid(), Owner), expectedVersion: 4);
        Assert.Equal((CommandStatus.Applied, 6L), (current.Status, current.Version));
    }

    [Fact]
    public async Task a_page_that_saw_a_reply_start_may_act_after_it_ends_without_a_conflict()
    {
        var (id, message, reply) = await Chats.ExchangeAsync("Hello", "Hi");
        var (edited, editReply) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        await Chats.AppliedAsync(new EditUserMessage(id, message, edited, "Hello there", editReply, Owner));
        var seen = (await Chats.EventsAsync(id)).Count;
        await Chats.CompleteAsync(id, editReply, "Hi there");

        // The page saw the reply requested; the reply ended since. Going back to the first version is no conflict.
        var select = await Chats.RunAsync(new SelectBranch(id, message, Owner), expectedVersion: seen);
        Assert.Equal(CommandStatus.Applied, select.Status);
        await using var session = Store.QuerySession();
        Assert.Equal(reply, (await session.LoadAsync<ConversationTree>(id))!.ActiveLeafId);
        // A change made by a person in between still is one.
        await Chats.AppliedAsync(new RenameConversation(id, "Renamed elsewhere", Owner));
        Assert.Equal(CommandStatus.Conflict, (await Chats.RunAsync(new SelectBranch(id, edited, Owner), expectedVersion: select.Version)).Status);
    }

    [Fact]
    public async Task a_long_conversation_opens_at_its_newest_messages_and_earlier_pages_follow_with_their_versions()
    {
        var (id, m1, r1) = await Chats.ExchangeAsync("One", "Reply one");
        var (m2, r2) = await Chats.PostAsync(id, "Two");
        await Chats.CompleteAsync(id, r2, "Reply two");
        var r2b = Guid.CreateVersion7();
        await Chats.AppliedAsync(new RegenerateReply(id, r2, r2b, Owner));
        await Chats.CompleteAsync(id, r2b, "Reply two, again");
        var (m3, r3) = await Chats.PostAsync(id, "Three");
        await Chats.CompleteAsync(id, r3, "Reply three");
        var (m4, r4) = await Chats.PostAsync(id, "Four");
        await Chats.CompleteAsync(id, r4, "Reply four");

        await using var session = Store.QuerySession();
        var newest = (await session.LoadPageAsync(id, Owner, default, pageSize: 5))!;
        Assert.Equal([r2b, m3, r3, m4, r4], newest.Messages.Select(n => n.Id));
        // The first message of a page still knows its versions: its parent is read but not shown.
        Assert.Equal((2, 2, (Guid?)r2), (newest.ActivePath[0].Position, newest.ActivePath[0].Count, newest.ActivePath[0].Previous));
        Assert.Equal(r2b, newest.Earlier);

        var earlier = (await session.LoadPageAsync(id, Owner, default, before: newest.Earlier, pageSize: 5))!;
        Assert.Equal([m1, r1, m2], earlier.Messages.Select(n => n.Id));
        Assert.Null(earlier.Earlier);
        var whole = (await session.LoadPageAsync(id, Owner, default))!;
        Assert.Equal([m1, r1, m2, r2b, m3, r3, m4, r4], whole.Messages.Select(n => n.Id));
        Assert.Null(whole.Earlier);
        // A node that is not on this conversation's path gives an empty page, not someone else's messages.
        Assert.Empty((await session.LoadPageAsync(id, Owner, default, before: Guid.CreateVersion7(), pageSize: 5))!.Messages);
        Assert.Null(await session.LoadPageAsync(id, "someone-else", default, before: r3));

        // Over HTTP: the fragment holds the older messages; another user's conversation is not found.
        var fragment = await (await Host.Scenario(s => s.Get.Url($"/c/{id}?handler=Earlier&before={m3}"))).ReadAsTextAsync();
        Assert.Contains($"id=\"m-{m1}\"", fragment);
        Assert.Contains($"id=\"m-{r2b}\"", fragment);
        Assert.DoesNotContain($"id=\"m-{m3}\"", fragment);
        var stranger = new Conversations(Host, "someone-else");
        var (otherId, _, _) = await stranger.ExchangeAsync("Mine", "Yours");
        await Host.Scenario(s =>
        {
            s.Get.Url($"/c/{otherId}?handler=Earlier&before={otherId}");
            s.StatusCodeShouldBe(404);
        });
    }

    [Fact]
    public async Task two_writers_racing_on_one_conversation_cannot_both_commit()
    {
        var (id, _, reply) = await Chats.ExchangeAsync("Hello", "Hi");
        var streams = Host.Services.GetRequiredService<ConversationStreams>();
        Host.Services.GetRequiredService<ConversationCache>().Clear();
        var now = DateTimeOffset.UtcNow;

        await using var first = Store.LightweightSession();
        await using var second = Store.LightweightSession();
        var seenByFirst = (await streams.LoadAsync(first, id, default))!;
        var seenBySecond = (await streams.LoadAsync(second, id, default))!;
        streams.Append(first, seenByFirst, ConversationDecisions.Decide(new RenameConversation(id, "First", Owner), seenByFirst, now));
        streams.Append(second, seenBySecond, ConversationDecisions.Decide(new RenameConversation(id, "Second", Owner), seenBySecond, now));
        await first.SaveChangesAsync();

        await Assert.ThrowsAnyAsync<ConcurrencyException>(() => second.SaveChangesAsync());
        await using var query = Store.QuerySession();
        Assert.Equal("First", (await query.LoadAsync<ConversationTree>(id))!.Title);
        Assert.Single((await Chats.EventsAsync(id)).OfType<ConversationRenamed>());
    }

    [Fact]
    public async Task editing_regenerating_and_switching_versions_keep_every_branch_in_the_tree()
    {
        var (id, message, reply) = await Chats.ExchangeAsync("What is htmx?", "A library.");
        var (edited, editedReply) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        await Chats.AppliedAsync(new EditUserMessage(id, message, edited, "What is htmx, briefly?", editedReply, Owner));
        await Chats.CompleteAsync(id, editedReply, "Hypermedia for HTML.");
        var regenerated = Guid.CreateVersion7();
        await Chats.AppliedAsync(new RegenerateReply(id, editedReply, regenerated, Owner));
        await Chats.CompleteAsync(id, regenerated, "HTML over the wire.");

        await using (var session = Store.QuerySession())
        {
            var page = (await session.LoadPageAsync(id, Owner, default))!;
            Assert.Equal([edited, regenerated], page.Messages.Select(n => n.Id));
            Assert.Equal((2, 2, (Guid?)message), (page.ActivePath[0].Position, page.ActivePath[0].Count, page.ActivePath[0].Previous));
            Assert.Equal((2, 2), (page.ActivePath[1].Position, page.ActivePath[1].Count));
            Assert.Equal(message, (await session.LoadAsync<TreeNode>(edited))!.EditOf);
        }

        await Chats.AppliedAsync(new SelectBranch(id, message, Owner));

        await using (var session = Store.QuerySession())
        {
            var page = (await session.LoadPageAsync(id, Owner, default))!;
            Assert.Equal([message, reply], page.Messages.Select(n => n.Id));
            Assert.Equal(["A library."], page.Messages.Where(n => n.Kind == NodeKind.Assistant).Select(n => n.Text));
        }
        // Back to the edited branch: its last chosen reply (the regenerated one) is remembered.
        await Chats.AppliedAsync(new SelectBranch(id, edited, Owner));
        await using (var session = Store.QuerySession())
            Assert.Equal(regenerated, (await session.LoadAsync<ConversationTree>(id))!.ActiveLeafId);
    }

    [Fact]
    public async Task merging_adds_a_node_with_provenance_and_the_next_reply_sees_both_branches()
    {
        var (id, message, reply) = await Chats.ExchangeAsync("Plan a trip", "Where to?");
        var (a, ra) = await Chats.PostAsync(id, "Bali");
        await Chats.CompleteAsync(id, ra, "Bali: beaches and temples.");
        var (b, rb) = await Chats.PostAsync(id, "Lombok", parent: reply);
        await Chats.CompleteAsync(id, rb, "Lombok: quieter, Rinjani.");
        var merge = Guid.CreateVersion7();

        await Chats.AppliedAsync(new MergeBranches(id, ra, rb, MergeStrategy.Verbatim, merge, Owner));

        await using (var session = Store.QuerySession())
        {
            var node = (await session.LoadAsync<TreeNode>(merge))!;
            Assert.Equal((NodeKind.Merge, (Guid?)ra, MergeStrategy.Verbatim), (node.Kind, node.ParentId, node.MergeStrategy));
            Assert.Equal([b, rb], node.MergedFrom);
            Assert.Contains("Lombok: quieter", node.Text);
            Assert.Equal([message, reply, a, ra, merge], (await session.LoadPageAsync(id, Owner, default))!.Messages.Select(n => n.Id));
        }

        // The reply after the merge is generated from a prompt that holds both branches.
        App.Llm.Enqueue(FakeReply.Of("Do both."));
        var (_, next) = await Chats.PostAsync(id, "Which one?");
        Host.Services.GetRequiredService<ReplyGenerator>().Start(id, next, Owner);
        await Store.ForReplyToEndAsync(next);
        var body = App.Llm.Requests.Last(r => r.Path.EndsWith("/chat/completions")).Body;
        Assert.Contains("Bali: beaches and temples.", body);
        Assert.Contains("Lombok: quieter, Rinjani.", body);
        Assert.Contains("Which one?", body);
    }

    [Fact]
    public async Task replay_shows_the_conversation_as_it_was_after_any_event()
    {
        var (id, message, reply) = await Chats.ExchangeAsync("First", "One");
        await Task.Delay(20); // a separate transaction: a later server timestamp
        var between = DateTimeOffset.UtcNow;
        await Task.Delay(20);
        await Chats.AppliedAsync(new RenameConversation(id, "Renamed", Owner));
        var (second, secondReply) = await Chats.PostAsync(id, "Second");

        await using var session = Store.QuerySession();
        var atThree = (await ConversationHistory.AsOfVersionAsync(session, id, 3, default))!;
        Assert.Equal(("First", reply), (atThree.Title, atThree.ActiveLeafId));
        Assert.True(atThree.Nodes[reply].IsPending);
        var atFour = (await ConversationHistory.AsOfVersionAsync(session, id, 4, default))!;
        Assert.Equal(("One", ReplyStatus.Completed), (atFour.Nodes[reply].Text, atFour.Nodes[reply].Status));
        var byTime = (await ConversationHistory.AsOfTimeAsync(session, id, between, default))!;
        Assert.Equal(("First", 4L), (byTime.Title, byTime.Version));
        Assert.False(byTime.Has(second));
        var now = (await ConversationHistory.AsOfVersionAsync(session, id, long.MaxValue, default))!;
        Assert.Equal(("Renamed", secondReply), (now.Title, now.ActiveLeafId));

        var history = await ConversationHistory.EntriesAsync(session, id, default);
        Assert.Equal(["conversation_started", "user_message_posted", "reply_requested", "reply_completed", "conversation_renamed",
            "user_message_posted", "reply_requested"], history.Select(h => h.Action));
        Assert.Equal([Owner, Owner, Owner, "system", Owner, Owner, Owner], history.Select(h => h.Actor));
        Assert.Equal(Enumerable.Range(1, 7).Select(v => (long)v), history.Select(h => h.Version));
    }

    [Fact]
    public async Task purging_removes_every_piece_of_text_from_the_database_and_the_audit_keeps_the_fact()
    {
        const string marker = "zebracorn";
        var (id, message, reply) = await Chats.StartAsync($"My secret {marker} plan", systemPrompt: $"You know about {marker}s.");
        await Chats.CompleteAsync(id, reply, $"Your {marker} plan is safe with me.");
        await Chats.AppliedAsync(new RenameConversation(id, $"The {marker} chat", Owner));
        // Tags belong to the user's library and outlive a chat; the chat's own tag events are masked all the same.
        await Chats.AppliedAsync(new TagConversation(id, "private", Owner));
        await Chats.AppliedAsync(new EditUserMessage(id, message, Guid.CreateVersion7(), $"Edited {marker}", Guid.CreateVersion7(), Owner));
        await Chats.AppliedAsync(new StopReply(id, (await LeafAsync(id)), $"partial {marker}", Owner));
        await Chats.AppliedAsync(new MergeBranches(id, await LeafAsync(id), reply, MergeStrategy.Verbatim, Guid.CreateVersion7(), Owner));
        var (other, _, _) = await Chats.ExchangeAsync("Unrelated chat", "Still here");
        await Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        Assert.True(await CountAsync(marker) > 0);

        await Chats.AppliedAsync(new DeleteConversation(id, Owner));
        await Chats.AppliedAsync(new PurgeConversation(id, Owner, "user"));

        await Waiting.UntilAsync(async () => await CountAsync(marker) == 0, "the purged text to disappear from every table");
        await using var session = Store.QuerySession();
        Assert.Null(await session.LoadAsync<ConversationTree>(id));
        Assert.Null(await session.LoadAsync<ChatListItem>(id));
        Assert.Null(await session.LoadAsync<TreeNode>(message));
        Assert.Empty(await MessageSearch.SearchAsync(Db, Owner, marker, 10, default, includeTrash: true));
        Assert.NotNull(await session.LoadAsync<ChatListItem>(other));
        var events = await session.Events.FetchStreamAsync(id);
        Assert.IsType<ConversationPurged>(events[^1].Data);

        await Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        var audit = await session.Query<AuditEntry>().Where(x => x.StreamId == id).ToListAsync();
        Assert.Contains(audit, a => a.Action == "conversation_purged" && a.Actor == Owner);
        Assert.Equal(events.Count, audit.Count);
        Assert.Equal(0, await CountAsync(marker));
        Assert.All(events.Select(e => e.Data).OfType<ConversationTagged>(), e => Assert.Equal("", e.Tag));
    }

    [Fact]
    public async Task rebuilding_every_projection_from_zero_gives_the_same_read_models()
    {
        await BuildVariedHistoryAsync();
        await Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        var before = await SnapshotAsync();

        await Host.Services.GetRequiredService<ProjectionRebuilder>().RebuildAllAsync(default);

        var after = await SnapshotAsync();
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        foreach (var (kind, rows) in before)
        {
            Assert.NotEmpty(rows);
            var differ = rows.Zip(after[kind]).FirstOrDefault(pair => pair.First != pair.Second);
            Assert.True(rows.SequenceEqual(after[kind]), $"{kind} differs after the rebuild:\n{differ.First}\n{differ.Second}");
        }
    }

    [Fact]
    public async Task search_finds_every_version_of_a_message_in_english_and_indonesian_for_its_owner_only()
    {
        var (id, message, reply) = await Chats.ExchangeAsync("The foxes were jumping over fences", "Saya suka makanan pedas");
        var edited = Guid.CreateVersion7();
        await Chats.AppliedAsync(new EditUserMessage(id, message, edited, "A fox jumped once", Guid.CreateVersion7(), Owner));
        var other = new Conversations(Host, "someone-else");
        await other.ExchangeAsync("My fox is jumping too", "ok");

        var fox = await MessageSearch.SearchAsync(Db, Owner, "fox jump", 10, default);
        Assert.Equal(new[] { message, edited }.Order(), fox.Select(h => h.NodeId).Order());
        Assert.All(fox, h => Assert.Equal(id, h.ConversationId));
        Assert.Contains("[[", fox[0].Snippet);

        var makan = Assert.Single(await MessageSearch.SearchAsync(Db, Owner, "makan", 10, default));
        Assert.Equal((reply, "assistant"), (makan.NodeId, makan.Kind));

        await Chats.AppliedAsync(new DeleteConversation(id, Owner));
        Assert.Empty(await MessageSearch.SearchAsync(Db, Owner, "fox", 10, default));
        Assert.Equal(2, (await MessageSearch.SearchAsync(Db, Owner, "fox", 10, default, includeTrash: true)).Count);
        Assert.Empty(await MessageSearch.SearchAsync(Db, Owner, "   ", 10, default));
        Assert.Empty(await MessageSearch.SearchAsync(Db, Owner, "\"unclosed & | !! ((", 10, default));
    }

    [Fact]
    public async Task usage_per_owner_day_and_model_comes_straight_from_the_reply_events()
    {
        var (id, _, reply) = await Chats.StartAsync("One");
        await Chats.CompleteAsync(id, reply, "a", input: 100, output: 20);
        var (_, second) = await Chats.PostAsync(id, "Two");
        await Chats.CompleteAsync(id, second, "b", input: 150, output: 30);
        var (_, failed) = await Chats.PostAsync(id, "Three");
        await Chats.AppliedAsync(new FailReply(id, failed, "rate-limited", "slow down", ""));

        await Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));

        await using var session = Store.QuerySession();
        var usage = Assert.Single(await session.Query<UsageDay>().Where(x => x.OwnerId == Owner).ToListAsync());
        Assert.Equal(("openai", "fake-gpt", DateOnly.FromDateTime(DateTime.UtcNow)), (usage.Provider, usage.Model, usage.Day));
        Assert.Equal((3, 2, 1, 250L, 50L), (usage.Requests, usage.Completed, usage.Failed, usage.InputTokens, usage.OutputTokens));
        Assert.Equal((2, 100.0, 2000.0), (usage.TimeToFirstTokenCount, usage.TimeToFirstTokenTotalMs, usage.DurationTotalMs));
    }

    [Fact]
    public async Task deleting_a_folder_moves_its_chats_to_no_folder_and_each_chat_records_the_move()
    {
        var folder = Guid.CreateVersion7();
        await Host.MessageBus().InvokeAsync<CommandResult>(new CreateFolder(folder, "Work", Owner));
        var (a, _, _) = await Chats.ExchangeAsync("A", "a");
        var (b, _, _) = await Chats.ExchangeAsync("B", "b");
        await Chats.AppliedAsync(new MoveConversationToFolder(a, folder, Owner));
        await Chats.AppliedAsync(new MoveConversationToFolder(b, folder, Owner));

        var result = await Host.MessageBus().InvokeAsync<CommandResult>(new DeleteFolder(folder, Owner));

        Assert.Equal(CommandStatus.Applied, result.Status);
        await using var session = Store.QuerySession();
        Assert.All(await session.LoadManyAsync<ChatListItem>(a, b), item => Assert.Null(item.FolderId));
        Assert.Equal(ConversationMovedToFolderNull, (await Chats.EventsAsync(a)).OfType<ConversationMovedToFolder>().Last().FolderId);
        Assert.Empty((await session.LoadAsync<LibraryView>(Sambung.Events.Library.UserLibrary.IdFor(Owner)))!.Folders);
    }

    private static readonly Guid? ConversationMovedToFolderNull = null;

    [Fact]
    public async Task a_chat_cannot_move_into_a_folder_that_is_not_the_users()
    {
        var foreign = Guid.CreateVersion7();
        await Host.MessageBus().InvokeAsync<CommandResult>(new CreateFolder(foreign, "Theirs", "someone-else"));
        var (id, _, _) = await Chats.ExchangeAsync("A", "a");

        var result = await Chats.RunAsync(new MoveConversationToFolder(id, foreign, Owner));

        Assert.Equal(CommandStatus.Refused, result.Status);
        Assert.DoesNotContain(await Chats.EventsAsync(id), e => e is ConversationMovedToFolder);
    }

    [Fact]
    public async Task renaming_and_deleting_a_tag_reaches_every_chat_that_has_it()
    {
        var (a, _, _) = await Chats.ExchangeAsync("A", "a");
        var (b, _, _) = await Chats.ExchangeAsync("B", "b");
        await Chats.AppliedAsync(new TagConversation(a, "AI", Owner));
        await Chats.AppliedAsync(new TagConversation(b, "ai", Owner)); // same tag, the user's spelling kept

        await Host.MessageBus().InvokeAsync<CommandResult>(new RenameTag("AI", "Machine learning", Owner));

        await using (var session = Store.QuerySession())
        {
            Assert.All(await session.LoadManyAsync<ChatListItem>(a, b), item => Assert.Equal(["Machine learning"], item.Tags));
            Assert.Equal(["Machine learning"], (await session.LoadAsync<LibraryView>(Sambung.Events.Library.UserLibrary.IdFor(Owner)))!.Tags);
        }

        await Host.MessageBus().InvokeAsync<CommandResult>(new DeleteTag("machine learning", Owner));
        await using (var session = Store.QuerySession())
            Assert.All(await session.LoadManyAsync<ChatListItem>(a, b), item => Assert.Empty(item.Tags));
    }

    [Fact]
    public async Task the_trash_is_emptied_after_thirty_days_and_not_before()
    {
        var (id, _, _) = await Chats.ExchangeAsync("Old", "chat");
        var (kept, _, _) = await Chats.ExchangeAsync("Kept", "chat");
        await Chats.AppliedAsync(new DeleteConversation(id, Owner));
        var sweeper = Host.Services.GetRequiredService<TrashSweeper>();

        Assert.Equal(0, await sweeper.SweepAsync(DateTimeOffset.UtcNow.AddDays(29), default));
        Assert.Equal(1, await sweeper.SweepAsync(DateTimeOffset.UtcNow.AddDays(31), default));

        var events = await Chats.EventsAsync(id);
        Assert.Equal(TrashSweeper.ExpiredReason, Assert.IsType<ConversationPurged>(events[^1]).Reason);
        Assert.DoesNotContain(await Chats.EventsAsync(kept), e => e is ConversationPurged);
    }

    [Fact]
    public async Task the_audit_trail_records_actor_action_target_and_where_from()
    {
        var form = await PageForm.ReadAsync(Host, "/");
        await Host.Scenario(s =>
        {
            form.PostTo(s, form.With(("Text", "Audited")));
            s.ConfigureHttpContext(c => c.Connection.RemoteIpAddress = System.Net.IPAddress.Parse("203.0.113.9"));
            s.StatusCodeShouldBe(302);
        });
        var id = form.Id("ConversationId");
        await Store.ForReplyToEndAsync(form.Id("ReplyId"));

        await Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));

        await using var session = Store.QuerySession();
        var audit = await session.Query<AuditEntry>().Where(x => x.StreamId == id).OrderBy(x => x.Sequence).ToListAsync();
        Assert.Equal(["conversation_started", "user_message_posted", "reply_requested", "reply_completed"], audit.Select(a => a.Action));
        Assert.Equal(form.Id("MessageId"), audit[1].Target);
        Assert.Equal([Owner, Owner, Owner, "system"], audit.Select(a => a.Actor));
        Assert.Equal(["203.0.113.9", "203.0.113.9", "203.0.113.9"], audit.Take(3).Select(a => a.Source));
        Assert.Equal("system", audit[3].Source);
    }

    private async Task<Guid> LeafAsync(Guid id)
    {
        await using var session = Store.QuerySession();
        return (await session.LoadAsync<ConversationTree>(id))!.ActiveLeafId;
    }

    // How many rows of any table the app owns mention the text, events and Wolverine's storage included.
    private async Task<long> CountAsync(string text)
    {
        var tables = new List<string>();
        await using (var list = Db.CreateCommand("select quote_ident(table_schema) || '.' || quote_ident(table_name) from information_schema.tables where table_schema in ('sambung', 'public') and table_type = 'BASE TABLE'"))
        await using (var reader = await list.ExecuteReaderAsync())
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        Assert.Contains("sambung.mt_events", tables);
        long count = 0;
        foreach (var table in tables)
        {
            await using var cmd = Db.CreateCommand($"select count(*) from {table} t where t::text ilike '%' || $1 || '%'");
            cmd.Parameters.AddWithValue(text);
            count += (long)(await cmd.ExecuteScalarAsync())!;
        }
        return count;
    }

    private async Task BuildVariedHistoryAsync()
    {
        var folder = Guid.CreateVersion7();
        await Host.MessageBus().InvokeAsync<CommandResult>(new CreateFolder(folder, "Projects", Owner));
        for (var i = 0; i < 4; i++)
        {
            var (id, message, reply) = await Chats.ExchangeAsync($"Question {i} about pelangi and rainbows", $"Answer {i}");
            var (m2, r2) = await Chats.PostAsync(id, $"Follow-up {i}");
            await Chats.CompleteAsync(id, r2, $"More {i}");
            var edited = Guid.CreateVersion7();
            var editedReply = Guid.CreateVersion7();
            await Chats.AppliedAsync(new EditUserMessage(id, m2, edited, $"Follow-up {i}, edited", editedReply, Owner));
            await Chats.CompleteAsync(id, editedReply, $"Edited answer {i}");
            await Chats.AppliedAsync(new MergeBranches(id, editedReply, r2, MergeStrategy.Verbatim, Guid.CreateVersion7(), Owner));
            await Chats.AppliedAsync(new HideBranch(id, m2, Owner));
            await Chats.AppliedAsync(new RenameConversation(id, $"Chat {i}", Owner));
            await Chats.AppliedAsync(new TagConversation(id, i % 2 == 0 ? "even" : "odd", Owner));
            if (i == 1) await Chats.AppliedAsync(new MoveConversationToFolder(id, folder, Owner));
            if (i == 2) await Chats.AppliedAsync(new PinConversation(id, true, Owner));
            if (i == 3)
            {
                await Chats.AppliedAsync(new DeleteConversation(id, Owner));
                await Chats.AppliedAsync(new PurgeConversation(id, Owner, "user"));
            }
        }
        var (failing, _, failedReply) = await Chats.StartAsync("This one fails");
        await Chats.AppliedAsync(new FailReply(failing, failedReply, "provider-error", "boom", "par"));
        await Chats.AppliedAsync(new DeleteConversation(failing, Owner));
    }

    private async Task<Dictionary<string, List<string>>> SnapshotAsync()
    {
        var snapshot = new Dictionary<string, List<string>>();
        var documents = new[] { typeof(ConversationTree), typeof(ChatListItem), typeof(TreeNode), typeof(UsageDay), typeof(UsageChatDay),
            typeof(UsageModelDay), typeof(AuditEntry), typeof(LibraryView) };
        foreach (var table in documents.Select(t => Store.Options.Schema.For(t)))
            snapshot[table] = await RowsAsync($"select id::text || ' ' || data::text from {table} order by id");
        snapshot["message_search"] = await RowsAsync(
            $"select node_id::text || '|' || conversation_id || '|' || owner_id || '|' || kind || '|' || body || '|' || created_at || '|' || in_trash || '|' || tsv::text from {SambungStore.Schema}.message_search order by node_id");
        return snapshot;
    }

    private async Task<List<string>> RowsAsync(string sql)
    {
        var rows = new List<string>();
        await using var cmd = Db.CreateCommand(sql);
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync()) rows.Add(reader.GetString(0));
        return rows;
    }
}
