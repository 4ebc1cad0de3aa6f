using System.Net;
using Alba;
using Marten;
using Sambung.Events.Conversations;
using Sambung.IntegrationTests.Support;
using Sambung.Projections.Conversations;
using Wolverine;

namespace Sambung.IntegrationTests;

// The tree, compare, merge and fork pages against the real host and database.
public sealed class TreeTests(AppFixture app) : AppTest(app)
{
    private Conversations Chats => new(Host);
    private const string Owner = Conversations.Owner;

    // A chat with two versions of its first message: original (active after selecting it) and an edit.
    private async Task<(Guid Id, Guid Message, Guid Reply, Guid Edited, Guid EditedReply)> TwoBranchesAsync()
    {
        var (id, message, reply) = await Chats.ExchangeAsync("Plan a trip to Bali", "Beaches and temples.");
        var (edited, editedReply) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        await Chats.AppliedAsync(new EditUserMessage(id, message, edited, "Plan a trip to Lombok", editedReply, Owner));
        await Chats.CompleteAsync(id, editedReply, "Quieter beaches and Rinjani.");
        return (id, message, reply, edited, editedReply);
    }

    private async Task<string> PageAsync(string url, int status = 200)
    {
        var response = await Host.Scenario(s => { s.Get.Url(url); s.StatusCodeShouldBe(status); });
        return await response.ReadAsTextAsync();
    }

    private async Task<IScenarioResult> PostTreeAsync(Guid id, string handler, Guid node, int status = 302, params (string, string)[] more)
    {
        var form = await PageForm.ReadAsync(Host, $"/c/{id}/tree", "tree-form") with { Action = $"/c/{id}/tree?handler={handler}" };
        return await Host.Scenario(s =>
        {
            form.PostTo(s, form.With([("node", node.ToString()), .. more]));
            s.StatusCodeShouldBe(status);
        });
    }

    private async Task<ConversationTree> TreeAsync(Guid id)
    {
        await using var session = Store.QuerySession();
        return (await session.LoadAsync<ConversationTree>(id))!;
    }

    [Fact]
    public async Task the_tree_shows_every_node_marks_the_active_path_and_choosing_a_node_makes_its_branch_active()
    {
        var (id, message, reply, edited, editedReply) = await TwoBranchesAsync();

        var html = await PageAsync($"/c/{id}/tree");

        Assert.Equal(4, html.Split("name=\"node\"").Length - 1);
        Assert.Contains("Plan a trip to Bali", html);
        Assert.Contains("Plan a trip to Lombok", html);
        Assert.Contains($"class=\"ta on\"><label><input type=\"radio\" name=\"node\" value=\"{editedReply}\" checked>", html);
        Assert.Contains($"class=\"tu\"><label><input type=\"radio\" name=\"node\" value=\"{message}\">", html);
        Assert.Contains("<small>fake-gpt</small>", html);

        var select = await PostTreeAsync(id, "Select", message);

        Assert.Equal($"/c/{id}", select.Context.Response.Headers.Location.ToString());
        Assert.Equal(reply, (await TreeAsync(id)).ActiveLeafId);
        Assert.Contains($"value=\"{reply}\" checked>", await PageAsync($"/c/{id}/tree"));
    }

    [Fact]
    public async Task labels_and_stars_are_events_the_tree_shows_and_hiding_a_branch_is_reversible()
    {
        var (id, message, _, edited, _) = await TwoBranchesAsync();

        await PostTreeAsync(id, "Label", message, more: ("label", "  The <b>Bali</b> plan "));
        await PostTreeAsync(id, "Star", message);
        var html = await PageAsync($"/c/{id}/tree");

        Assert.Contains("<mark>The &lt;b&gt;Bali&lt;/b&gt; plan</mark>", html);
        Assert.Contains("class=\"star\"", html);
        Assert.Contains("Starred and labelled", html);
        await PostTreeAsync(id, "Label", message, status: 422, more: ("label", new string('x', 61)));

        await PostTreeAsync(id, "Hide", edited);
        html = await PageAsync($"/c/{id}/tree");
        Assert.DoesNotContain("Plan a trip to Lombok", html);
        Assert.Contains("Show hidden (1)", html);
        var shown = await PageAsync($"/c/{id}/tree?hidden=true");
        Assert.Contains("Plan a trip to Lombok", shown);
        Assert.Contains("(hidden)", shown);

        await PostTreeAsync(id, "Restore", edited);
        await PostTreeAsync(id, "Unstar", message);
        html = await PageAsync($"/c/{id}/tree");
        Assert.Contains("Plan a trip to Lombok", html);
        Assert.DoesNotContain("class=\"star\"", html);
        var events = await Chats.EventsAsync(id);
        Assert.Equal(new BranchLabeled(message, "The <b>Bali</b> plan", Owner, events.OfType<BranchLabeled>().Single().At), events.OfType<BranchLabeled>().Single());
        Assert.Single(events.OfType<BranchStarred>());
        Assert.Single(events.OfType<BranchUnstarred>());
        Assert.Single(events.OfType<BranchHidden>());
        Assert.Single(events.OfType<BranchRestored>());
        await using var session = Store.QuerySession();
        var node = (await session.LoadAsync<TreeNode>(message))!;
        Assert.Equal(("The <b>Bali</b> plan", false), (node.Label, node.Starred));
    }

    [Fact]
    public async Task compare_shows_two_sibling_replies_side_by_side_with_a_word_diff_and_continues_with_one()
    {
        var (id, message, reply) = await Chats.ExchangeAsync("Describe <script>alert(1)</script> Bali", "Bali has quiet beaches and temples.");
        var second = Guid.CreateVersion7();
        await Chats.AppliedAsync(new RegenerateReply(id, reply, second, Owner));
        await Chats.CompleteAsync(id, second, "Bali has busy beaches and temples.", input: 12, output: 34);

        var html = await PageAsync($"/c/{id}/compare?a={reply}&b={second}");

        Assert.Contains("Messages both branches share: 1", html);
        Assert.Contains("<del>quiet</del>", html);
        Assert.Contains("<ins>busy</ins>", html);
        Assert.Contains("12 in, 34 out", html);
        Assert.Contains("fake-gpt-0001", html);
        Assert.DoesNotContain("<script>alert(1)</script>", html);
        Assert.Contains("&lt;script&gt;", html);
        Assert.Equal(2, html.Split("Continue with this one").Length - 1);

        // Any of the user's forms carries a valid antiforgery pair; the tree's has the version too.
        var form = await PageForm.ReadAsync(Host, $"/c/{id}/tree", "tree-form");
        var post = await Host.Scenario(s =>
        {
            (form with { Action = $"/c/{id}/compare?handler=Continue" }).PostTo(s, form.With(("node", reply.ToString())));
            s.StatusCodeShouldBe(302);
        });
        Assert.Equal($"/c/{id}", post.Context.Response.Headers.Location.ToString());
        Assert.Equal(reply, (await TreeAsync(id)).ActiveLeafId);

        // Without two ends: a picker of the branches.
        var picker = await PageAsync($"/c/{id}/compare");
        Assert.Contains($"name=\"a\" value=\"{reply}\" checked", picker);
        Assert.Contains($"name=\"b\" value=\"{second}\" checked", picker);
    }

    [Fact]
    public async Task merging_from_the_tree_adds_a_merge_node_under_the_active_leaf_that_links_to_its_source()
    {
        var (id, message, reply, edited, editedReply) = await TwoBranchesAsync();

        var post = await PostTreeAsync(id, "Merge", message);

        Assert.Equal($"/c/{id}", post.Context.Response.Headers.Location.ToString());
        var tree = await TreeAsync(id);
        await using var session = Store.QuerySession();
        var merge = (await session.LoadAsync<TreeNode>(tree.ActiveLeafId))!;
        Assert.Equal((NodeKind.Merge, (Guid?)editedReply), (merge.Kind, merge.ParentId));
        Assert.Equal([message, reply], merge.MergedFrom);
        var chat = await PageAsync($"/c/{id}");
        Assert.Contains($"href=\"/c/{id}?at={reply}\">Merged from this branch</a>", chat);
        Assert.Contains("Plan a trip to Bali", chat);
    }

    [Fact]
    public async Task forking_copies_the_path_into_a_new_chat_of_the_same_owner_that_links_back()
    {
        var (id, message, reply) = await Chats.ExchangeAsync("Fork me", "Forked answer");
        var (_, later) = await Chats.PostAsync(id, "Not in the fork");
        await Chats.CompleteAsync(id, later, "Nor this");

        var post = await PostTreeAsync(id, "Fork", reply);

        var location = post.Context.Response.Headers.Location.ToString();
        var fork = Guid.Parse(location["/c/".Length..]);
        Assert.NotEqual(id, fork);
        var chat = await PageAsync(location);
        Assert.Contains("Forked from", chat);
        Assert.Contains($"href=\"/c/{id}?at={reply}\">Fork me</a>", chat);
        Assert.Contains("Forked answer", chat);
        Assert.DoesNotContain("Not in the fork", chat);
        var events = await Chats.EventsAsync(fork);
        Assert.Equal(new ConversationForked(id, reply, Owner, ((ConversationForked)events[1]).At), events[1]);
        await using var session = Store.QuerySession();
        var item = (await session.LoadAsync<ChatListItem>(fork))!;
        Assert.Equal((Owner, 2), (item.OwnerId, item.MessageCount));
        // The source is untouched.
        Assert.Equal(later, (await TreeAsync(id)).ActiveLeafId);
    }

    [Fact]
    public async Task another_users_conversation_is_not_found_on_every_new_page_and_post()
    {
        var (mine, _, myReply) = await Chats.ExchangeAsync("Mine", "Yes");
        var (theirs, message, reply) = await new Conversations(Host, "someone-else").ExchangeAsync("Theirs", "Private");

        await PageAsync($"/c/{theirs}/tree", 404);
        await PageAsync($"/c/{theirs}/compare", 404);
        await PageAsync($"/c/{theirs}/compare?a={message}&b={reply}", 404);
        var form = await PageForm.ReadAsync(Host, $"/c/{mine}/tree", "tree-form");
        foreach (var handler in new[] { "Select", "Label", "Star", "Unstar", "Hide", "Restore", "Merge", "Fork", "Compare" })
            await Host.Scenario(s =>
            {
                (form with { Action = $"/c/{theirs}/tree?handler={handler}" }).PostTo(s, form.With(("node", reply.ToString()), ("label", "x")));
                s.StatusCodeShouldBe(404);
            });
        foreach (var handler in new[] { "Continue", "Merge" })
            await Host.Scenario(s =>
            {
                (form with { Action = $"/c/{theirs}/compare?handler={handler}" }).PostTo(s,
                    form.With(("node", reply.ToString()), ("target", reply.ToString()), ("source", message.ToString())));
                s.StatusCodeShouldBe(404);
            });
        // Forking someone else's node from my own chat finds nothing either.
        await Host.Scenario(s =>
        {
            (form with { Action = $"/c/{theirs}/tree?handler=Fork" }).PostTo(s, form.With(("node", myReply.ToString())));
            s.StatusCodeShouldBe(404);
        });
        Assert.Equal(4, (await Chats.EventsAsync(theirs)).Count);
    }

    [Fact]
    public async Task rebuilding_the_projections_gives_the_same_labels_stars_and_forks()
    {
        var (id, message, reply, edited, _) = await TwoBranchesAsync();
        await Chats.AppliedAsync(new LabelBranch(id, message, "First idea", Owner));
        await Chats.AppliedAsync(new StarBranch(id, reply, true, Owner));
        var fork = Guid.CreateVersion7();
        var forked = await Host.MessageBus().InvokeAsync<Sambung.Web.Features.Chats.CommandResult>(new ForkConversation(fork, id, reply, Owner));
        Assert.Equal(Sambung.Web.Features.Chats.CommandStatus.Applied, forked.Status);
        async Task<string> SnapshotAsync()
        {
            await using var session = Store.QuerySession();
            var nodes = await session.Query<TreeNode>().Where(n => n.ConversationId == id || n.ConversationId == fork).ToListAsync();
            var trees = await session.LoadManyAsync<ConversationTree>(id, fork);
            return System.Text.Json.JsonSerializer.Serialize(new { nodes = nodes.OrderBy(n => n.Id), trees = trees.OrderBy(t => t.Id) });
        }
        var before = await SnapshotAsync();
        Assert.Contains("First idea", before);

        await Host.Services.GetRequiredService<Sambung.Web.Infrastructure.ProjectionRebuilder>().RebuildAllAsync(default);

        Assert.Equal(before, await SnapshotAsync());
        await using var check = Store.QuerySession();
        Assert.Equal((id, (Guid?)reply), ((await check.LoadAsync<ConversationTree>(fork))!.ForkedFrom, (await check.LoadAsync<ConversationTree>(fork))!.ForkedFromNode));
        Assert.True((await check.LoadAsync<TreeNode>(ConversationDecisions.ForkedNodeId(fork, reply)))!.Starred);
    }

    [Fact]
    public async Task purging_the_source_masks_its_labels_and_its_forks_say_it_is_gone()
    {
        var (id, message, reply) = await Chats.ExchangeAsync("Hello", "Hi");
        await Chats.AppliedAsync(new LabelBranch(id, message, "zebralabel", Owner));
        var fork = Guid.CreateVersion7();
        await Host.MessageBus().InvokeAsync<Sambung.Web.Features.Chats.CommandResult>(new ForkConversation(fork, id, reply, Owner));
        Assert.Contains($"href=\"/c/{id}?at={reply}\">Hello</a>", await PageAsync($"/c/{fork}"));

        await Chats.AppliedAsync(new DeleteConversation(id, Owner));
        await Chats.AppliedAsync(new PurgeConversation(id, Owner, "user"));

        await Waiting.UntilAsync(async () => (await Chats.EventsAsync(id)).OfType<BranchLabeled>().All(e => e.Label == ""), "the label to be masked");
        var page = await PageAsync($"/c/{fork}");
        Assert.Contains("Forked from a chat that no longer exists.", page);
        Assert.DoesNotContain($"/c/{id}?at=", page);
        await PageAsync($"/c/{id}/tree", 404);
    }

    [Fact]
    public async Task a_post_without_the_antiforgery_token_is_refused()
    {
        var (id, message, _) = await Chats.ExchangeAsync("Hello", "Hi");
        await Host.Scenario(s =>
        {
            s.Post.FormData(new Dictionary<string, string> { ["node"] = message.ToString() }).ToUrl($"/c/{id}/tree").QueryString("handler", "Star");
            s.StatusCodeShouldBe(HttpStatusCode.BadRequest);
        });
        Assert.Empty((await Chats.EventsAsync(id)).OfType<BranchStarred>());
    }

    [Fact]
    public async Task merging_with_a_written_summary_adds_a_merge_node_with_that_text_and_an_empty_summary_is_refused_beside_the_field()
    {
        var (id, message, reply, _, editedReply) = await TwoBranchesAsync();
        var page = await PageAsync($"/c/{id}/tree");
        // Copying the turns is the default; the summary field is in the same form.
        Assert.Contains("id=\"tree-merge-verbatim\" name=\"strategy\" value=\"Verbatim\" checked", page);
        Assert.Contains("<label for=\"tree-merge-summary-text\">Summary</label>", page);

        var refused = await (await PostTreeAsync(id, "Merge", message, 422, ("strategy", "Summary"), ("summary", "  "))).ReadAsTextAsync();
        Assert.Contains("id=\"tree-merge-summary\" name=\"strategy\" value=\"Summary\" checked", refused);
        Assert.Matches("id=\"tree-merge-summary-error\" class=\"composer-error\" role=\"alert\">Write the summary before merging", refused);
        Assert.Contains($"value=\"{message}\" checked", refused); // the chosen node stays chosen
        Assert.Empty((await Chats.EventsAsync(id)).OfType<BranchesMerged>());

        // Any other refusal keeps the summary typed.
        var kept = await (await PostTreeAsync(id, "Merge", editedReply, 422, ("strategy", "Summary"), ("summary", "Bali: temples."))).ReadAsTextAsync();
        Assert.Contains(">Bali: temples.</textarea>", kept);

        await PostTreeAsync(id, "Merge", message, 302, ("strategy", "Summary"), ("summary", "  Bali: beaches and temples.  "));
        var tree = await TreeAsync(id);
        await using var session = Store.QuerySession();
        var merge = (await session.LoadAsync<TreeNode>(tree.ActiveLeafId))!;
        Assert.Equal((NodeKind.Merge, (Guid?)editedReply, "Bali: beaches and temples.", MergeStrategy.Summary),
            (merge.Kind, merge.ParentId, merge.Text, merge.MergeStrategy));
        Assert.Equal([message, reply], merge.MergedFrom);
        var chat = await PageAsync($"/c/{id}");
        Assert.Contains("Bali: beaches and temples.", chat);
        Assert.Contains($"href=\"/c/{id}?at={reply}\">Merged from this branch</a>", chat);
        // The transcript of the source is not what was carried.
        Assert.DoesNotContain("Beaches and temples.", merge.Text);
    }

    [Fact]
    public async Task merging_from_compare_with_a_summary_carries_the_summary_and_an_empty_one_is_refused_beside_its_field()
    {
        var (id, _, reply, _, editedReply) = await TwoBranchesAsync();
        var url = $"/c/{id}/compare?a={editedReply}&b={reply}";
        var page = await PageAsync(url);
        Assert.Contains($"id=\"merge-{editedReply:N}-summary-text\"", page);
        Assert.Contains($"id=\"merge-{reply:N}-summary-text\"", page);

        async Task<IScenarioResult> MergeAsync(string summary, int status)
        {
            var form = await PageForm.ReadAsync(Host, $"/c/{id}/tree", "tree-form"); // its antiforgery token and cookie
            return await Host.Scenario(s =>
            {
                (form with { Action = $"/c/{id}/compare?handler=Merge" }).PostTo(s, new()
                {
                    ["__RequestVerificationToken"] = form.Fields["__RequestVerificationToken"],
                    ["target"] = editedReply.ToString(), ["source"] = reply.ToString(), ["mergeId"] = Guid.CreateVersion7().ToString(),
                    ["a"] = editedReply.ToString(), ["b"] = reply.ToString(), ["strategy"] = "Summary", ["summary"] = summary,
                });
                s.StatusCodeShouldBe(status);
            });
        }

        var refused = await (await MergeAsync("", 422)).ReadAsTextAsync();
        Assert.Matches($"id=\"merge-{editedReply:N}-summary-error\" class=\"composer-error\" role=\"alert\">Write the summary", refused);
        Assert.Matches($"id=\"merge-{reply:N}-summary-error\" class=\"composer-error\" role=\"alert\"></span>", refused);
        Assert.Empty((await Chats.EventsAsync(id)).OfType<BranchesMerged>());

        await MergeAsync("Bali was the other plan.", 302);
        var merged = Assert.Single((await Chats.EventsAsync(id)).OfType<BranchesMerged>());
        Assert.Equal(("Bali was the other plan.", MergeStrategy.Summary, editedReply), (merged.Text, merged.Strategy, merged.ParentId));
    }
}
