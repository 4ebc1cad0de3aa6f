using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Marten;
using Sambung.Events.Conversations;
using Sambung.IntegrationTests.Support;
using Sambung.Projections.Conversations;
using Sambung.Projections.Library;
using Sambung.Web.Features.Accounts;

namespace Sambung.IntegrationTests;

public sealed partial class TransferTests(AccountsFixture fixture) : AccountsTest(fixture)
{
    private async Task<(TestBrowser Browser, string Id)> SignedInWithIdAsync()
    {
        var browser = NewBrowser();
        var email = $"u{Guid.NewGuid():N}@example.test";
        Assert.Equal(HttpStatusCode.Redirect, (await browser.RegisterAsync(email)).StatusCode);
        await using var session = Store.QuerySession();
        var user = await session.Query<SambungUser>().SingleAsync(u => u.NormalizedEmail == email.ToUpperInvariant());
        return (browser, user.Id);
    }

    // A chat with every kind of history: an edit (two branches), a regeneration, a rename, a tag, a folder.
    private async Task<Guid> RichChatAsync(TestBrowser browser, string owner, string title)
    {
        var chats = new Conversations(Host, owner);
        var (id, message, reply) = await chats.StartAsync("First question");
        await chats.CompleteAsync(id, reply, "First answer");
        var (edited, editReply) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        await chats.AppliedAsync(new EditUserMessage(id, message, edited, "Better question", editReply, owner));
        await chats.CompleteAsync(id, editReply, "Better answer");
        var again = Guid.CreateVersion7();
        await chats.AppliedAsync(new RegenerateReply(id, editReply, again, owner));
        await chats.CompleteAsync(id, again, "Another answer");
        await chats.AppliedAsync(new SelectBranch(id, reply, owner));
        await chats.AppliedAsync(new RenameConversation(id, title, owner));
        await browser.PostAsync($"/c/{id}", $"/c/{id}?handler=Tag", ("tag", "Research"));
        await browser.PostAsync("/folders", "/folders?handler=Create", ("name", "Work"));
        await using var session = Store.QuerySession();
        var folder = (await session.Query<LibraryView>().ToListAsync()).SelectMany(v => v.Folders).First(f => f.Name == "Work").Id;
        await browser.PostAsync($"/c/{id}", $"/c/{id}?handler=Move", ("folder", folder.ToString()));
        return id;
    }

    private async Task<(int Chats, long Events)> CountAsync()
    {
        await using var session = Store.QuerySession();
        return (await session.Query<ChatListItem>().CountAsync(), await session.Events.QueryAllRawEvents().CountAsync());
    }

    private static async Task<HttpResponseMessage> ImportAsync(TestBrowser browser, string fileName, byte[] bytes, string type = "application/json") =>
        await browser.PostMultipartAsync("/import", "/import", "file", fileName, bytes, type);

    private static IEnumerable<Guid> ImportedIds(string page) =>
        ImportedLink().Matches(page).Select(m => Guid.Parse(m.Groups[1].Value));

    // Ids differ between the copies and the export time moves on; everything else must be the same.
    private static string Normalised(string json)
    {
        var node = JsonNode.Parse(json)!.AsObject();
        node.Remove("exportedAt");
        var ids = new Dictionary<string, string>();
        return GuidPattern().Replace(node.ToJsonString(), m => ids.TryGetValue(m.Value, out var n) ? n : ids[m.Value] = $"id{ids.Count}");
    }

    [Fact]
    public async Task a_chat_exported_as_json_and_imported_exports_again_the_same_but_for_ids_export_time_and_its_replies_marked_as_copies()
    {
        var (me, owner) = await SignedInWithIdAsync();
        var id = await RichChatAsync(me, owner, "Round trip");
        var first = await me.PageAsync($"/c/{id}/export?format=json");

        var imported = await ImportAsync(me, "round-trip.json", Encoding.UTF8.GetBytes(first));
        Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
        Assert.Contains("Imported 1 chat.", me.LastPage);
        var copy = Assert.Single(ImportedIds(me.LastPage!));
        Assert.NotEqual(id, copy);

        var second = await me.PageAsync($"/c/{copy}/export?format=json");
        // The imported replies are marked as copies (usage here does not count them); the rest is the same.
        Assert.DoesNotContain("\"copy\": true", first);
        Assert.Contains("\"copy\": true", second);
        Assert.DoesNotContain("\"copy\": false", second);
        Assert.Equal(Normalised(first), Normalised(second.Replace("\"copy\": true", "\"copy\": false")));
        Assert.Contains("\"Work\"", second); // the same folder, found by name

        // Importing the same file again makes another copy, never a collision.
        await ImportAsync(me, "round-trip.json", Encoding.UTF8.GetBytes(first));
        Assert.NotEqual(copy, Assert.Single(ImportedIds(me.LastPage!)));
        await using var session = Store.QuerySession();
        Assert.Equal(3, await session.Query<ChatListItem>().CountAsync(c => c.OwnerId == owner && c.Title == "Round trip"));
        Assert.Single((await session.Query<LibraryView>().ToListAsync()).SelectMany(v => v.Folders), f => f.Name == "Work");
        // The read models of the copy are those of the original: the same shape of tree, the same branch on screen.
        var (original, imitation) = (await session.LoadAsync<ConversationTree>(id), await session.LoadAsync<ConversationTree>(copy));
        Assert.Equal((original!.NodeCount, original.Title), (imitation!.NodeCount, imitation.Title));
        var path = await session.PathToAsync(copy, imitation.ActiveLeafId, default);
        Assert.Equal(["First question", "First answer"], path.Select(n => n.Text));
        var root = await session.LoadAsync<TreeNode>(copy);
        Assert.Equal(2, root!.Children.Count);
        Assert.Contains($"href=\"/c/{copy}\"", await me.PageAsync("/")); // in the sidebar
    }

    [Fact]
    public async Task all_chats_export_as_a_zip_with_a_folder_per_folder_and_only_the_owner_s_chats()
    {
        var (me, owner) = await SignedInWithIdAsync();
        var inFolder = await RichChatAsync(me, owner, "In a folder");
        var (loose, _, looseReply) = await new Conversations(Host, owner).StartAsync("Loose chat");
        await new Conversations(Host, owner).CompleteAsync(loose, looseReply, "ok");
        var (trashed, _, _) = await new Conversations(Host, owner).ExchangeAsync("Thrown away", "ok");
        await new Conversations(Host, owner).AppliedAsync(new DeleteConversation(trashed, owner));
        var (theirs, _, _) = await new Conversations(Host, "someone-else").ExchangeAsync("Not mine", "ok");

        var response = await me.GetAsync("/export/all");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        using (var zip = new ZipArchive(new MemoryStream(bytes)))
        {
            var names = zip.Entries.Select(e => e.FullName).Order().ToList();
            Assert.Equal(["In-a-folder.json", "In-a-folder.md", "Loose-chat.json", "Loose-chat.md"], names.Select(n => n.Split('/')[^1]).Order());
            Assert.Contains("Work/In-a-folder.json", names);
            Assert.Contains("Loose-chat.json", names);
            using var reader = new StreamReader(zip.GetEntry("Work/In-a-folder.json")!.Open());
            using var chat = JsonDocument.Parse(await reader.ReadToEndAsync());
            Assert.Equal(inFolder, chat.RootElement.GetProperty("conversationId").GetGuid());
            foreach (var entry in zip.Entries)
            {
                using var content = new StreamReader(entry.Open());
                var text = await content.ReadToEndAsync();
                Assert.DoesNotContain(theirs.ToString(), text);
                Assert.DoesNotContain("Thrown away", text);
            }
        }

        // The ZIP comes back in: the folder is the same folder (matched by name), every chat a new copy.
        var before = await CountAsync();
        await ImportAsync(me, "all.zip", bytes, "application/zip");
        Assert.Contains("Imported 2 chats.", me.LastPage);
        var copies = ImportedIds(me.LastPage!).ToList();
        Assert.Equal(2, copies.Count);
        Assert.Equal(before.Chats + 2, (await CountAsync()).Chats);
        await using var session = Store.QuerySession();
        var work = (await session.Query<LibraryView>().ToListAsync()).SelectMany(v => v.Folders).Single(f => f.Name == "Work").Id;
        var folders = new List<Guid?>();
        foreach (var c in copies) folders.Add((await session.LoadAsync<ChatListItem>(c))!.FolderId);
        Assert.Equal([null, work], folders.OrderBy(f => f.HasValue));

        // Another person's export link gives them their own chats only.
        var (other, _) = await SignedInWithIdAsync();
        using var empty = new ZipArchive(new MemoryStream(await (await other.GetAsync("/export/all")).Content.ReadAsByteArrayAsync()));
        Assert.Empty(empty.Entries);
    }

    public static TheoryData<string, byte[], string> BadFiles()
    {
        var zipWithEscape = new MemoryStream();
        using (var zip = new ZipArchive(zipWithEscape, ZipArchiveMode.Create, leaveOpen: true))
            using (var w = new StreamWriter(zip.CreateEntry("../evil.json").Open())) w.Write("{}");
        var zipWithJunk = new MemoryStream();
        using (var zip = new ZipArchive(zipWithJunk, ZipArchiveMode.Create, leaveOpen: true))
            using (var w = new StreamWriter(zip.CreateEntry("notes/readme.exe").Open())) w.Write("MZ");
        const string loop = """[{"title":"Loop","mapping":{"a":{"id":"a","parent":null,"children":["b"]},"b":{"id":"b","parent":"c","children":["c"]},"c":{"id":"c","parent":"b","children":["b"]}}}]""";
        const string orphan = """[{"title":"Orphan","mapping":{"a":{"id":"a","parent":null,"children":[]},"b":{"id":"b","parent":"zzz","children":[]}}}]""";
        return new()
        {
            { "broken.json", "{\"format\": \"sambung.chat\", \"version\": 1,"u8.ToArray(), "not valid JSON" },
            { "future.json", """{"format":"sambung.chat","version":2,"events":[]}"""u8.ToArray(), "format version 2" },
            { "other.json", """{"format":"something.else"}"""u8.ToArray(), "Sambung cannot import this file" },
            { "escape.zip", zipWithEscape.ToArray(), "../evil.json" },
            { "junk.zip", zipWithJunk.ToArray(), "notes/readme.exe" },
            { "loop.json", Encoding.UTF8.GetBytes(loop), "“Loop”" },
            { "orphan.json", Encoding.UTF8.GetBytes(orphan), "“Orphan”" },
            { "hacked.json", Encoding.UTF8.GetBytes("""{"format":"sambung.chat","version":1,"conversationId":"0199a3b0-0000-7000-8000-000000000001","title":"Hacked","events":[{"type":"user_message_posted","version":1,"data":{"nodeId":"0199a3b0-0000-7000-8000-000000000002","parentId":"0199a3b0-0000-7000-8000-000000000009","text":"hi","by":"x","at":"2025-01-01T00:00:00Z"}}]}"""), "“Hacked”" },
        };
    }

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task a_malformed_file_is_refused_with_a_clear_message_and_changes_nothing(string name, byte[] bytes, string expected)
    {
        var (me, owner) = await SignedInWithIdAsync();
        await new Conversations(Host, owner).ExchangeAsync("Already here", "ok");
        var before = await CountAsync();

        var response = await ImportAsync(me, name, bytes, name.EndsWith(".zip") ? "application/zip" : "application/json");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var page = WebUtility.HtmlDecode(me.LastPage!);
        Assert.Matches("role=\"alert\"", page);
        Assert.Contains(expected, page);
        Assert.Contains("Nothing was imported.", page);
        Assert.Equal(before, await CountAsync());
    }

    [Fact]
    public async Task a_file_over_the_limit_is_refused_before_it_is_read()
    {
        var (me, _) = await SignedInWithIdAsync();
        var before = await CountAsync();
        var big = new byte[51 * 1024 * 1024];
        big[0] = (byte)'[';
        var response = await ImportAsync(me, "big.json", big);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("at most 50 MB", WebUtility.HtmlDecode(me.LastPage!));
        Assert.Equal(before, await CountAsync());
    }

    [Fact]
    public async Task a_chatgpt_export_becomes_chats_with_every_branch_and_the_branch_last_seen_on_screen()
    {
        var (me, owner) = await SignedInWithIdAsync();
        var file = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "conversations.json"));
        var response = await ImportAsync(me, "conversations.json", file);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Imported 1 chat.", WebUtility.HtmlDecode(me.LastPage!));
        var id = Assert.Single(ImportedIds(me.LastPage!));

        await using var session = Store.QuerySession();
        var tree = (await session.LoadAsync<ConversationTree>(id))!;
        Assert.Equal((owner, "Trip to Bali"), (tree.OwnerId, tree.Title));
        var path = await session.PathToAsync(id, tree.ActiveLeafId, default);
        Assert.Equal(["Plan a week in Bali", "Day 1: Ubud…", "Make it cheaper", "A cheaper plan…"], path.Select(n => n.Text));
        Assert.Equal("gpt-4o", path[1].ProviderModelId);
        Assert.Equal(new DateTimeOffset(2024, 6, 1, 10, 0, 5, TimeSpan.Zero), path[0].CreatedAt);
        var first = await session.LoadAsync<TreeNode>(path[0].Id);
        Assert.Equal(2, (await session.LoadAsync<TreeNode>(path[0].ParentId!.Value))!.Children.Count); // the edited first message
        Assert.Contains($"href=\"/c/{id}\"", await me.PageAsync("/"));
        Assert.NotNull(first);
    }

    [GeneratedRegex("href=\"/c/([0-9a-f-]{36})\" data-imported")]
    private static partial Regex ImportedLink();

    [GeneratedRegex("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")]
    private static partial Regex GuidPattern();
}
