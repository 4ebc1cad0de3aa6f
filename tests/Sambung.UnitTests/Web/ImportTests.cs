using System.IO.Compression;
using System.Text;
using Sambung.Events.Conversations;
using Sambung.Events.Library;
using Sambung.Web.Features.Transfer;

namespace Sambung.UnitTests.Web;

public sealed class ImportTests
{
    private const string Me = "me";
    private static readonly ModelRef MyModel = new("openai", "gpt-test");
    private static readonly DateTimeOffset Now = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private static ImportReading Read(string text, ImportLimits? limits = null) => Read(Encoding.UTF8.GetBytes(text), limits);

    private static ImportReading Read(byte[] bytes, ImportLimits? limits = null) =>
        ImportReader.Read(new MemoryStream(bytes), Me, MyModel, Now, limits ?? new ImportLimits());

    private static string ChatGptFile => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "conversations.json"));

    [Fact]
    public void every_chatgpt_branch_becomes_ours_and_tool_and_system_nodes_are_left_out()
    {
        var reading = Read(ChatGptFile);

        Assert.Null(reading.Refusal);
        var chat = Assert.Single(reading.Chats); // the conversation with only a system message is not worth a chat
        var events = chat.Events.Select(e => e.Data).ToList();
        var state = Conversation.Fold(events)!;
        Assert.Equal(("Trip to Bali", Me, MyModel), (state.Title, state.OwnerId, state.Model));
        Assert.Equal(7, state.Nodes.Count - 1); // u1, a1, u2, a2, a2b, u1b, a1b
        Assert.DoesNotContain(state.Nodes.Values, n => n.Kind != NodeKind.Root && n.Text is "results" or "");

        // The first message and its edit are siblings under the root; the two replies hang from "Make it cheaper",
        // the tool call and its result between them left out.
        var firsts = state.Root.Children.Select(id => state.Nodes[id]).ToList();
        Assert.Equal(["Plan a week in Bali", "Plan two weeks in Bali"], firsts.Select(n => n.Text));
        Assert.Equal(firsts[0].Id, firsts[1].EditOf);
        var cheaper = state.Nodes.Values.Single(n => n.Text == "Make it cheaper");
        var replies = cheaper.Children.Select(id => state.Nodes[id]).ToList();
        Assert.Equal(["A cheaper plan…", "Another cheaper plan…"], replies.Select(n => n.Text));
        Assert.Equal(replies[0].Id, events.OfType<ReplyRequested>().Single(r => r.NodeId == replies[1].Id).RegenerationOf);
        Assert.Equal(new ModelRef(ChatGptConversations.Provider, "gpt-4o-mini"), replies[1].Model);
        Assert.Equal("gpt-4o-mini", events.OfType<ReplyCompleted>().Single(r => r.NodeId == replies[1].Id).ProviderModelId);

        // current_node is the branch on screen; times are ChatGPT's.
        Assert.Equal(["Plan a week in Bali", "Day 1: Ubud…", "Make it cheaper", "A cheaper plan…"], state.ActivePath.Select(n => n.Text));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1717236005), firsts[0].CreatedAt);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1717236000123), ((ConversationStarted)events[0]).At);
        Assert.True(ChatConsistency.IsConsistent(chat.Id, events));
        // A reply's prompt is the path down to its parent, as if it had been asked here.
        var context = events.OfType<ReplyRequested>().Single(r => r.NodeId == replies[0].Id).Context;
        Assert.Equal((cheaper.Id, 3), (context.PathEnd, context.PathLength));
    }

    [Fact]
    public void every_import_gets_new_ids()
    {
        var first = Read(ChatGptFile).Chats.Single();
        var second = Read(ChatGptFile).Chats.Single();
        Assert.NotEqual(first.Id, second.Id);
        var ids = (ImportedChat c) => Conversation.Fold(c.Events.Select(e => e.Data))!.Nodes.Keys;
        Assert.Empty(ids(first).Intersect(ids(second)));
    }

    [Theory]
    [InlineData("""[{"title":"Loop","mapping":{"r":{"parent":null,"children":[]},"a":{"parent":"b","children":[]},"b":{"parent":"a","children":[]}}}]""")]
    [InlineData("""[{"title":"Loop","mapping":{"a":{"parent":"a","children":["a"]}}}]""")]
    [InlineData("""[{"title":"Loop","mapping":{"r":{"parent":null},"x":{"parent":"nowhere"}}}]""")]
    [InlineData("""[{"title":"Loop","mapping":{"r":{"parent":null},"s":{"parent":null}}}]""")]
    [InlineData("""[{"title":"Loop","mapping":[]}]""")]
    public void a_chatgpt_conversation_with_a_loop_or_a_missing_parent_is_refused(string file)
    {
        var refusal = Read(file).Refusal;
        Assert.Equal(ImportRefusal.BrokenChatGpt, refusal?.Code);
        Assert.Equal("Loop", refusal!.Args[0]);
    }

    [Theory]
    [InlineData("", ImportRefusal.NoFile)]
    [InlineData("{\"format\":\"sambung.chat\"", ImportRefusal.Malformed)]
    [InlineData("{\"hello\":1}", ImportRefusal.NotRecognised)]
    [InlineData("42", ImportRefusal.NotRecognised)]
    [InlineData("{\"format\":\"sambung.chat\",\"version\":2}", ImportRefusal.UnsupportedVersion)]
    [InlineData("{\"format\":\"sambung.chat\",\"version\":1,\"events\":[]}", ImportRefusal.BrokenChat)]
    [InlineData("[]", ImportRefusal.NothingToImport)]
    public void a_file_that_is_not_a_sound_chat_is_refused(string file, string code) => Assert.Equal(code, Read(file).Refusal?.Code);

    [Fact]
    public void limits_refuse_files_that_are_too_big_or_hold_too_much()
    {
        Assert.Equal(ImportRefusal.TooLarge, Read(ChatGptFile, new ImportLimits { MaxFileBytes = 100 }).Refusal?.Code);
        Assert.Equal(ImportRefusal.TooManyMessages, Read(ChatGptFile, new ImportLimits { MaxMessages = 3 }).Refusal?.Code);
        Assert.Equal(ImportRefusal.TooManyChats, Read(ChatGptFile, new ImportLimits { MaxChats = 1 }).Refusal?.Code);
    }

    private static byte[] Zip(params (string Name, byte[] Content)[] entries)
    {
        var bytes = new MemoryStream();
        using (var zip = new ZipArchive(bytes, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, content) in entries)
            {
                using var stream = zip.CreateEntry(name).Open();
                stream.Write(content);
            }
        return bytes.ToArray();
    }

    [Fact]
    public void a_zip_that_unpacks_to_more_than_allowed_or_holds_strange_entries_is_refused()
    {
        var zeros = new byte[2 * 1024 * 1024]; // compresses to almost nothing
        Assert.Equal(ImportRefusal.ZipTooLarge, Read(Zip(("a.json", zeros)), new ImportLimits { MaxExpandedBytes = 1024 * 1024 }).Refusal?.Code);
        Assert.Equal(ImportRefusal.BadZip, Read(Zip(("../a.json", "{}"u8.ToArray()))).Refusal?.Code);
        Assert.Equal(ImportRefusal.BadZip, Read(Zip(("run.sh", "echo"u8.ToArray()))).Refusal?.Code);
        Assert.Equal(ImportRefusal.BadZip, Read(Zip(("a.json", "{not json"u8.ToArray()))).Refusal?.Code);
        Assert.Equal(ImportRefusal.ZipTooManyFiles, Read(Zip(("a.md", []), ("b.md", []))  , new ImportLimits { MaxZipEntries = 1 }).Refusal?.Code);
        Assert.Equal(ImportRefusal.BadZip, Read("PK\u0003\u0004 not really a zip").Refusal?.Code);
        Assert.Equal(ImportRefusal.NothingToImport, Read(Zip(("Work/a.md", "# hi"u8.ToArray()))).Refusal?.Code);
    }

    [Fact]
    public void folders_are_matched_by_name_or_created_and_tags_join_the_library()
    {
        var folder = Guid.CreateVersion7();
        var chat = Read(ChatGptFile).Chats.Single();
        var id = chat.Id;
        var moved = chat with
        {
            Events = [.. chat.Events, new(new ConversationMovedToFolder(folder, Me, Now)), new(new ConversationTagged("Travel", Me, Now))],
            Folders = new Dictionary<Guid, string> { [folder] = "  Holidays " },
        };
        var existing = Guid.CreateVersion7();
        var library = UserLibrary.Fold(Me, [new FolderCreated(existing, "holidays", Me, Now)]);

        var plan = ImportPlan.Make([moved], library, Me, Now);
        Assert.Null(plan.Refusal);
        Assert.Equal(existing, plan.Chats.Single().Events.Select(e => e.Data).OfType<ConversationMovedToFolder>().Single().FolderId);
        Assert.Equal([new TagCreated("Travel", Me, Now)], plan.LibraryEvents);

        var fresh = ImportPlan.Make([moved], UserLibrary.Empty(Me), Me, Now);
        var created = Assert.IsType<FolderCreated>(fresh.LibraryEvents[0]);
        Assert.Equal("Holidays", created.Name);
        Assert.Equal(created.FolderId, fresh.Chats.Single().Events.Select(e => e.Data).OfType<ConversationMovedToFolder>().Single().FolderId);
        Assert.Equal(id, fresh.Chats.Single().Id);
    }

    [Fact]
    public void a_reply_still_pending_in_the_file_ends_as_interrupted()
    {
        var chat = Read(ChatGptFile).Chats.Single();
        var parent = Conversation.Fold(chat.Events.Select(e => e.Data))!.ActiveLeafId;
        var pending = Guid.CreateVersion7();
        var withPending = chat with
        {
            Events = [.. chat.Events, new(new ReplyRequested(pending, parent, MyModel, new(), new(parent, 4, null), Me, Now))],
        };
        var plan = ImportPlan.Make([withPending], UserLibrary.Empty(Me), Me, Now);
        var failed = Assert.IsType<ReplyFailed>(plan.Chats.Single().Events[^1].Data);
        Assert.Equal((pending, ReplyStatus.Interrupted), (failed.NodeId, failed.Status));
    }

    [Fact]
    public void a_chat_is_written_in_commits_shaped_like_the_ones_that_made_it()
    {
        var chat = Read(ChatGptFile).Chats.Single();
        var batches = ChatImporter.Batches(chat.Events);
        // Started + first message + its reply; then each later message with its reply; the branch choice last.
        Assert.Equal(chat.Events.Count, batches.Sum(b => b.Count));
        Assert.IsType<ConversationStarted>(batches[0][0].Data);
        Assert.IsType<UserMessagePosted>(batches[0][1].Data);
        Assert.IsType<ReplyRequested>(batches[0][2].Data);
        Assert.Equal(3, batches.Count);

        var at = Now.AddDays(-1);
        var timed = chat.Events.Select((e, i) => e with { OriginalAt = at.AddSeconds(i / 2) }).ToList();
        Assert.All(ChatImporter.Batches(timed), b => Assert.Single(b.Select(e => e.OriginalAt).Distinct()));
    }
}
