using Alba;
using Marten;
using Sambung.Events.Conversations;
using Sambung.Events.Library;
using Sambung.IntegrationTests.Support;
using Npgsql;
using Sambung.Projections.Conversations;
using Sambung.Projections.Search;
using Sambung.Web.Features.Chats;
using Wolverine;

namespace Sambung.IntegrationTests;

public sealed class WorkspaceTests(AppFixture app) : AppTest(app)
{
    private Conversations Chats => new(Host);
    private const string Owner = Conversations.Owner;

    // A form of the chat page posted to another of its handlers: the antiforgery token is the user's, not the form's.
    private Task<IScenarioResult> PostAsync(Guid id, string action, params (string Name, string Value)[] fields) =>
        PostAsync(action, false, fields);

    private async Task<IScenarioResult> PostAsync(string action, bool htmx, params (string Name, string Value)[] fields)
    {
        var form = await PageForm.ReadAsync(Host, $"/c/{(await Chats.StartAsync("token source")).Id}");
        return await Host.Scenario(s =>
        {
            (form with { Action = action, HtmxAction = null }).PostTo(s, form.With(fields), htmx);
            s.IgnoreStatusCode();
        });
    }

    private async Task<ChatListItem?> ItemAsync(Guid id)
    {
        await using var session = Store.QuerySession();
        return await session.LoadAsync<ChatListItem>(id);
    }

    [Fact]
    public async Task a_chat_is_renamed_pinned_deleted_with_undo_and_deleted_forever_from_its_pages()
    {
        var (id, _, _) = await Chats.ExchangeAsync("Plan the week", "Sure");

        await PostAsync(id, $"/c/{id}?handler=Rename", ("title", "  Weekly   plan "));
        await PostAsync(id, $"/c/{id}?handler=Pin", ("pinned", "true"));
        Assert.Equal(("Weekly plan", true), ((await ItemAsync(id))!.Title, (await ItemAsync(id))!.Pinned));
        Assert.Contains("Unpin chat", await Host.GetAsText($"/c/{id}"));

        var refused = await PostAsync($"/c/{id}?handler=Rename", true, ("title", new string('x', 201)));
        Assert.Contains("That title is too long", await refused.ReadAsTextAsync());
        Assert.Equal("Weekly plan", (await ItemAsync(id))!.Title);

        var deleted = await PostAsync(id, $"/c/{id}?handler=Delete");
        Assert.Equal($"/?deleted={id}", deleted.Context.Response.Headers.Location.ToString());
        Assert.True((await ItemAsync(id))!.InTrash);
        var home = System.Net.WebUtility.HtmlDecode(await Host.GetAsText($"/?deleted={id}"));
        Assert.Contains("“Weekly plan” moved to Trash.", home);
        Assert.Contains("Undo", home);
        Assert.Contains("Weekly plan", await Host.GetAsText("/trash"));

        var undone = await PostAsync(id, "/trash?handler=Restore", ("id", id.ToString()), ("open", "true"));
        Assert.Equal($"/c/{id}", undone.Context.Response.Headers.Location.ToString());
        Assert.False((await ItemAsync(id))!.InTrash);

        await PostAsync(id, $"/c/{id}?handler=Delete");
        await PostAsync(id, "/trash?handler=Purge", ("id", id.ToString()));
        Assert.Null(await ItemAsync(id));
        Assert.IsType<ConversationPurged>((await Chats.EventsAsync(id))[^1]);
    }

    [Fact]
    public async Task another_user_s_chat_is_not_found_by_any_of_these_actions()
    {
        var (theirs, _, _) = await new Conversations(Host, "someone-else").ExchangeAsync("Mine", "Yours");
        foreach (var (action, fields) in new (string, (string, string)[])[]
        {
            ($"/c/{theirs}?handler=Rename", [("title", "Taken")]),
            ($"/c/{theirs}?handler=Pin", [("pinned", "true")]),
            ($"/c/{theirs}?handler=Delete", []),
            ("/trash?handler=Restore", [("id", theirs.ToString())]),
            ("/trash?handler=Purge", [("id", theirs.ToString())]),
        })
            Assert.Equal(404, (await PostAsync(theirs, action, fields)).Context.Response.StatusCode);
        var item = (await ItemAsync(theirs))!;
        Assert.Equal(("Mine", false, false), (item.Title, item.Pinned, item.InTrash));
        Assert.DoesNotContain("Mine", await Host.GetAsText($"/?deleted={theirs}"));
    }

    [Fact]
    public async Task the_chat_list_pages_by_keyset_pinned_first_then_newest_without_gaps_or_repeats()
    {
        var owner = $"pager-{Guid.NewGuid():N}";
        var chats = new Conversations(Host, owner);
        var ids = new List<Guid>();
        for (var i = 0; i < 120; i++) ids.Add((await chats.StartAsync($"Chat {i}")).Id);
        await chats.AppliedAsync(new PinConversation(ids[3], true, owner));
        await chats.AppliedAsync(new DeleteConversation(ids[5], owner));

        await using var session = Store.QuerySession();
        var seen = new List<ChatListItem>();
        ChatListCursor? after = null;
        do
        {
            var page = await session.ChatsPageAsync(owner, after, 50, default);
            seen.AddRange(page);
            after = page.Count == 50 ? ChatListCursor.Of(page[^1]) : null;
        } while (after is not null);

        Assert.Equal(119, seen.Count);
        Assert.Equal(ids[3], seen[0].Id);
        Assert.Equal(ids.Where((_, i) => i is not 3 and not 5).Reverse(), seen.Skip(1).Select(c => c.Id));
    }

    [Fact]
    public async Task the_sidebar_shows_groups_and_loads_the_next_page_as_a_fragment()
    {
        await Chats.StartAsync("Something from today");
        var html = await Host.GetAsText("/");
        Assert.Contains("<h2 class=\"chat-group-title\">Today</h2>", html);
        var fragment = await Host.GetAsText($"/chats?handler=More&after={new ChatListCursor(false, DateTimeOffset.UtcNow.AddDays(1), Guid.Empty)}&group=Today");
        Assert.DoesNotContain("<html", fragment);
        await Host.Scenario(s =>
        {
            s.Get.Url("/chats?handler=More&after=garbage");
            s.StatusCodeShouldBe(400);
        });
    }

    [Fact]
    public async Task search_finds_titles_and_every_message_version_for_its_owner_and_opens_the_branch_of_a_hit()
    {
        var marker = $"zebra{Guid.NewGuid():N}"[..14];
        var (id, message, reply) = await Chats.ExchangeAsync($"Do {marker} nap? <script>alert(1)</script>", "Standing up."); // a whole title
        var (edited, editReply) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        await Chats.AppliedAsync(new EditUserMessage(id, message, edited, "Where do horses sleep?", editReply, Owner));
        await Chats.CompleteAsync(id, editReply, "Also standing.");
        var (titled, _, _) = await Chats.ExchangeAsync("Something else", "ok");
        await Chats.AppliedAsync(new RenameConversation(titled, $"All about {marker}", Owner));
        var (trashed, _, _) = await Chats.ExchangeAsync($"{marker} in the bin", "ok");
        await Chats.AppliedAsync(new DeleteConversation(trashed, Owner));
        await new Conversations(Host, "someone-else").ExchangeAsync($"{marker} of someone else", "ok");

        var page = await Host.GetAsText($"/search?q={marker}");

        Assert.Contains("2 chats found.", page);
        Assert.Contains($"/c/{id}?at={message}#m-{message}", page); // the edited original, not on the active branch
        Assert.Contains($"<mark>{marker}</mark>", page);
        Assert.Contains("&lt;script&gt;", page);
        Assert.DoesNotContain("<script>alert", page);
        Assert.Contains($"href=\"/c/{titled}\"", page);
        Assert.DoesNotContain(trashed.ToString(), page);
        Assert.DoesNotContain("someone else", page);

        // The hit opens its conversation on the branch through that message, and the composer continues that branch.
        var chat = await Host.GetAsText($"/c/{id}?at={message}");
        Assert.Contains($"id=\"m-{message}\"", chat);
        Assert.Contains($"id=\"m-{reply}\"", chat);
        Assert.DoesNotContain($"id=\"m-{edited}\"", chat);
        var form = await PageForm.ReadAsync(Host, $"/c/{id}?at={message}");
        Assert.Equal(reply, form.Id("ParentId"));
        await using var session = Store.QuerySession();
        Assert.Equal(editReply, (await session.LoadAsync<ConversationTree>(id))!.ActiveLeafId); // looking selects nothing
        Assert.Contains("Nothing found", await Host.GetAsText("/search?q=nonexistentwordxyz"));
    }

    [Fact]
    public async Task search_narrows_by_folder_tag_pinned_model_provider_and_dates()
    {
        var marker = $"okapi{Guid.NewGuid():N}"[..14];
        var (filed, _, _) = await Chats.ExchangeAsync($"{marker} in a folder", "ok");
        var folder = Guid.CreateVersion7();
        await Host.MessageBus().InvokeAsync<CommandResult>(new CreateFolder(folder, $"Zoo {marker}", Owner));
        await Chats.AppliedAsync(new MoveConversationToFolder(filed, folder, Owner));
        await Chats.AppliedAsync(new TagConversation(filed, $"tag-{marker}", Owner));
        var (pinned, _, _) = await Chats.ExchangeAsync($"{marker} pinned", "ok");
        await Chats.AppliedAsync(new PinConversation(pinned, true, Owner));
        var (switched, _, _) = await Chats.ExchangeAsync($"Another model for {marker}", "ok");
        await Chats.AppliedAsync(new ChangeModel(switched, new ModelRef("anthropic", "claude_like-1"), Owner));
        await Chats.PostAsync(switched, $"{marker} again");

        async Task<string[]> FoundAsync(string filters)
        {
            var page = await Host.GetAsText($"/search?q={marker}&{filters}");
            page = page[page.IndexOf("id=\"search-results\"", StringComparison.Ordinal)..]; // not the sidebar's links
            return new[] { (filed, "filed"), (pinned, "pinned"), (switched, "switched") }
                .Where(c => page.Contains($"href=\"/c/{c.Item1}\"")).Select(c => c.Item2).ToArray();
        }

        Assert.Equal(["filed", "pinned", "switched"], (await FoundAsync("")).Order());
        Assert.Equal(["filed"], await FoundAsync($"folder={folder}"));
        Assert.Equal(["filed"], await FoundAsync($"tag=tag-{marker}"));
        Assert.Equal(["pinned"], await FoundAsync("pinned=true"));
        Assert.Equal(["switched"], await FoundAsync("model=CLAUDE_like-1")); // any case; "_" is not a wildcard
        Assert.Empty(await FoundAsync("model=claude%"));
        Assert.Equal(["switched"], await FoundAsync("provider=anthropic"));
        Assert.Equal(3, (await FoundAsync("provider=openai&folder=&tag=")).Length); // empty fields filter nothing
        Assert.Empty(await FoundAsync("provider=openai&model=claude_like-1")); // both on the same model
        Assert.Empty(await FoundAsync($"folder={Guid.NewGuid()}"));
        // The search form's own "folder" and "tag" (sent empty when not chosen) leave the sidebar's list alone.
        var sidebar = await Host.GetAsText($"/search?q={marker}&folder=&tag=&pinned=true");
        Assert.Contains($"href=\"/c/{filed}\"", sidebar[..sidebar.IndexOf("id=\"search-results\"", StringComparison.Ordinal)]);

        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        Assert.Equal(3, (await FoundAsync($"from={today:yyyy-MM-dd}&to={today:yyyy-MM-dd}")).Length);
        Assert.Empty(await FoundAsync($"from={today.AddDays(2):yyyy-MM-dd}"));
        Assert.Empty(await FoundAsync($"to={today.AddDays(-2):yyyy-MM-dd}"));

        var reversed = await Host.GetAsText($"/search?q={marker}&from={today:yyyy-MM-dd}&to={today.AddDays(-1):yyyy-MM-dd}");
        Assert.Contains("The start date is after the end date.", reversed);
        Assert.Contains("role=\"alert\"", reversed);
        Assert.Contains("One of the filters is not valid.", await Host.GetAsText($"/search?q={marker}&from=yesterday"));
    }

    [Fact]
    public async Task titles_are_found_through_a_trigram_index_from_three_characters()
    {
        var db = Host.Services.GetRequiredService<NpgsqlDataSource>();
        await using (var cmd = db.CreateCommand("select count(*) from pg_indexes where indexname = $1"))
        {
            cmd.Parameters.AddWithValue(TitleSearchIndex.IndexName);
            Assert.Equal(1L, await cmd.ExecuteScalarAsync());
        }
        var (id, _, _) = await Chats.ExchangeAsync("Something", "ok");
        await Chats.AppliedAsync(new RenameConversation(id, "Qx budget", Owner));

        Assert.Contains($"href=\"/c/{id}\"", Results(await Host.GetAsText("/search?q=qx%20bud")));
        Assert.DoesNotContain($"href=\"/c/{id}\"", Results(await Host.GetAsText("/search?q=qx"))); // too short for a title
    }

    private static string Results(string page) => page[page.IndexOf("id=\"search-results\"", StringComparison.Ordinal)..];

    [Fact]
    public async Task a_chat_exports_as_markdown_and_text_of_its_branch_and_as_json_of_its_whole_history()
    {
        var (id, message, _) = await Chats.ExchangeAsync("First *question*", "First answer");
        var (edited, editReply) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        await Chats.AppliedAsync(new EditUserMessage(id, message, edited, "Better question", editReply, Owner));
        await Chats.CompleteAsync(id, editReply, "Better answer");

        var md = await Host.Scenario(s => s.Get.Url($"/c/{id}/export?format=md"));
        var markdown = await md.ReadAsTextAsync();
        Assert.StartsWith("text/markdown", md.Context.Response.ContentType);
        Assert.Contains("attachment", md.Context.Response.Headers.ContentDisposition.ToString());
        Assert.Contains("## You\n\nBetter question", markdown);
        Assert.Contains("## Assistant (fake-gpt-0001)\n\nBetter answer", markdown);
        Assert.DoesNotContain("First answer", markdown); // the branch on screen only
        Assert.Contains("You:\nBetter question", await Host.GetAsText($"/c/{id}/export?format=txt"));

        using var json = System.Text.Json.JsonDocument.Parse(await Host.GetAsText($"/c/{id}/export?format=json"));
        var root = json.RootElement;
        Assert.Equal(("sambung.chat", 1), (root.GetProperty("format").GetString(), root.GetProperty("version").GetInt32()));
        var events = root.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal((await Chats.EventsAsync(id)).Count, events.Count);
        Assert.Equal(Enumerable.Range(1, events.Count).Select(v => (long)v), events.Select(e => e.GetProperty("version").GetInt64()));
        Assert.Contains(events, e => e.GetProperty("type").GetString() == "user_message_edited");
        Assert.Contains(events, e => e.GetProperty("data").ToString().Contains("First answer")); // every branch

        var (theirs, _, _) = await new Conversations(Host, "someone-else").ExchangeAsync("Private", "ok");
        foreach (var format in new[] { "md", "txt", "json" })
            await Host.Scenario(s => { s.Get.Url($"/c/{theirs}/export?format={format}"); s.StatusCodeShouldBe(404); });
        await Host.Scenario(s => { s.Get.Url($"/c/{id}/export?format=pdf"); s.StatusCodeShouldBe(400); });
    }
}
