using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Marten;
using Sambung.Events.Conversations;
using Sambung.Events.Prompts;
using Sambung.FakeProviders;
using Sambung.IntegrationTests.Support;
using Sambung.Projections.Prompts;

namespace Sambung.IntegrationTests;

public sealed partial class PromptTests(AccountsFixture fixture) : AccountsTest(fixture)
{
    private async Task<TestBrowser> SignedInAsync(string name = "Tester")
    {
        var browser = NewBrowser();
        Assert.Equal(HttpStatusCode.Redirect, (await browser.RegisterAsync($"u{Guid.NewGuid():N}@example.test", name: name)).StatusCode);
        return browser;
    }

    private static async Task<Guid> CreateAsync(TestBrowser browser, string name, string text, string category = "", string tags = "")
    {
        var page = await browser.PageAsync("/prompts/edit");
        var id = Guid.Parse(PromptIdField().Match(page).Groups[1].Value);
        var response = await browser.PostAsync("/prompts/edit", "/prompts/edit", ("Form.PromptId", id.ToString()), ("Form.Name", name),
            ("Form.Description", ""), ("Form.Text", text), ("Form.Category", category), ("Form.Tags", tags));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"/prompts/{id}?done=saved", response.Headers.Location!.OriginalString);
        return id;
    }

    private static Task<HttpResponseMessage> EditAsync(TestBrowser browser, Guid id, string text, long expectedVersion) =>
        browser.PostAsync($"/prompts/edit/{id}", $"/prompts/edit/{id}", ("Form.PromptId", id.ToString()), ("Form.ExpectedVersion", expectedVersion.ToString()),
            ("Form.Name", "Summary"), ("Form.Text", text), ("Form.Category", "Writing"), ("Form.Tags", "work"));

    private async Task<PromptView> ViewAsync(Guid id)
    {
        await using var session = Store.QuerySession();
        return (await session.LoadAsync<PromptView>(id))!;
    }

    private async Task<IReadOnlyList<object>> EventsAsync(Guid id)
    {
        await using var session = Store.QuerySession();
        return [.. (await session.Events.FetchStreamAsync(id)).Select(e => e.Data)];
    }

    [Fact]
    public async Task a_prompt_is_created_edited_and_restored_and_its_whole_history_stays()
    {
        var me = await SignedInAsync();
        var id = await CreateAsync(me, "Summary", "Summarize {{text}}", "Writing", "work, Work, notes");
        Assert.Equal(["work", "notes"], (await ViewAsync(id)).Tags);

        Assert.Equal(HttpStatusCode.Redirect, (await EditAsync(me, id, "Summarize {{text}} in {{length|short|long}} form", 1)).StatusCode);
        var malformed = await EditAsync(me, id, "Summarize {{text", 2);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, malformed.StatusCode);
        var page = await malformed.Content.ReadAsStringAsync();
        Assert.Contains("Line 1, column 11: a {{ is never closed with }}.", page);
        Assert.Contains("Summarize {{text</textarea>", page); // what was typed stays
        var stale = await EditAsync(me, id, "Something else", 1);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, stale.StatusCode);
        Assert.Contains("changed in the meantime", await stale.Content.ReadAsStringAsync());
        Assert.Equal(2, (await EventsAsync(id)).Count);

        var details = await me.PageAsync($"/prompts/{id}?compare=2");
        Assert.Contains("Version 2", details);
        Assert.Contains("Changes from version 1 to version 2", details);
        Assert.Contains("Removed: </span>", details);
        Assert.Contains("Added: </span>", details);
        Assert.Contains("Restore this version", details);

        var restore = await me.PostAsync($"/prompts/{id}", $"/prompts/{id}?handler=Restore", ("version", "1"), ("expectedVersion", "2"));
        Assert.Equal(HttpStatusCode.Redirect, restore.StatusCode);
        var events = await EventsAsync(id);
        Assert.Collection(events, e => Assert.IsType<PromptCreated>(e), e => Assert.IsType<PromptEdited>(e),
            e => Assert.Equal((3, 1), (((PromptVersionRestored)e).Version, ((PromptVersionRestored)e).FromVersion)));
        var view = await ViewAsync(id);
        Assert.Equal(("Summarize {{text}}", 3), (view.Text, view.CurrentVersion));
        Assert.Contains("restored from version 1", await me.PageAsync($"/prompts/{id}"));

        Assert.Equal(HttpStatusCode.Redirect, (await me.PostAsync($"/prompts/{id}", $"/prompts/{id}?handler=Delete")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await me.GetAsync($"/prompts/{id}")).StatusCode);
        Assert.DoesNotContain("Summary", await me.PageAsync("/prompts?handler=Commands"));
    }

    [Fact]
    public async Task another_user_s_prompt_is_not_found_on_every_route()
    {
        var owner = await SignedInAsync();
        var id = await CreateAsync(owner, "Private prompt", "Secret {{thing}}");
        var me = await SignedInAsync();
        var mine = await CreateAsync(me, "Mine", "Hello");

        foreach (var url in new[] { $"/prompts/{id}", $"/prompts/edit/{id}", $"/prompts/{id}/use", $"/prompts/{id}/use?handler=Form", $"/prompts/{id}/use?handler=Preview" })
            Assert.Equal(HttpStatusCode.NotFound, (await me.GetAsync(url)).StatusCode);
        (string Action, (string, string)[] Fields)[] posts =
        [
            ($"/prompts/edit/{id}", [("Form.PromptId", id.ToString()), ("Form.Name", "Taken"), ("Form.Text", "Taken")]),
            ($"/prompts/{id}?handler=Restore", [("version", "1")]),
            ($"/prompts/{id}?handler=Delete", []),
            ($"/prompts/{id}?handler=Publish", []),
            ($"/prompts/{id}?handler=Unpublish", []),
            ($"/prompts/{id}?handler=Copy", []),
            ($"/prompts/{id}/use", []),
            ("/prompts/community?handler=Copy", [("id", id.ToString()), ("copyId", Guid.NewGuid().ToString())]),
            ("/prompts/community?handler=Unpublish", [("id", id.ToString())]),
        ];
        foreach (var (action, fields) in posts)
            Assert.True((await me.PostAsync($"/prompts/{mine}", action, fields)).StatusCode == HttpStatusCode.NotFound, action);

        Assert.DoesNotContain("Private prompt", await me.PageAsync("/prompts?handler=Commands"));
        Assert.DoesNotContain("Private prompt", await me.PageAsync("/prompts"));
        Assert.DoesNotContain("Private prompt", await me.PageAsync("/prompts?handler=Export"));
        var events = await EventsAsync(id);
        Assert.IsType<PromptCreated>(Assert.Single(events));
    }

    [Fact]
    public async Task a_prompt_is_published_after_confirming_copied_with_its_source_and_unpublished_by_an_admin()
    {
        var admin = await SignedInAsync("Admin");
        var author = await SignedInAsync("Rina Author");
        var copier = await SignedInAsync("Budi");
        var id = await CreateAsync(author, "Shared summary", "Summarize {{text}} for <b>{{who}}</b>");

        Assert.DoesNotContain("Yes, publish it", await author.PageAsync($"/prompts/{id}"));
        Assert.Contains("Everyone on this instance will see version 1", await author.PageAsync($"/prompts/{id}?confirm=publish"));
        Assert.Equal(HttpStatusCode.Redirect, (await author.PostAsync($"/prompts/{id}?confirm=publish", $"/prompts/{id}?handler=Publish")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await EditAsync(author, id, "A private draft {{text}}", 2)).StatusCode);

        var community = await copier.PageAsync("/prompts/community");
        Assert.Contains("Shared summary", community);
        Assert.Contains("By Rina Author", community);
        Assert.Contains("Copied 0 times", community);
        Assert.Contains("Summarize {{text}} for &lt;b&gt;{{who}}&lt;/b&gt;", community); // encoded, and the published version
        Assert.DoesNotContain("private draft", community);
        var copyId = Guid.CreateVersion7();
        var copied = await copier.PostAsync("/prompts/community", "/prompts/community?handler=Copy", ("id", id.ToString()), ("copyId", copyId.ToString()));
        Assert.Equal($"/prompts/{copyId}?done=copied", copied.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, (await copier.PostAsync("/prompts/community", "/prompts/community?handler=Copy", ("id", id.ToString()), ("copyId", copyId.ToString()))).StatusCode);
        var copy = await ViewAsync(copyId);
        Assert.Equal(new PromptSource(id, 1, "Rina Author"), copy.Source);
        Assert.Equal("Summarize {{text}} for <b>{{who}}</b>", copy.Text);
        Assert.Equal(1, (await ViewAsync(id)).Copies); // the repeated post copied nothing more
        Assert.Contains("Copied 1 times", await copier.PageAsync("/prompts/community"));
        Assert.Contains("Copied from version 1 of a prompt by Rina Author", await copier.PageAsync($"/prompts/{copyId}"));

        Assert.Equal(HttpStatusCode.NotFound, (await copier.PostAsync("/prompts/community", "/prompts/community?handler=Unpublish", ("id", id.ToString()))).StatusCode);
        Assert.True((await ViewAsync(id)).IsPublic);
        Assert.Contains("Unpublish Shared summary", await admin.PageAsync("/prompts/community"));
        Assert.Equal(HttpStatusCode.Redirect, (await admin.PostAsync("/prompts/community", "/prompts/community?handler=Unpublish", ("id", id.ToString()))).StatusCode);
        Assert.DoesNotContain("Shared summary", await copier.PageAsync("/prompts/community"));
        Assert.Contains(await EventsAsync(id), e => e is PromptUnpublished { ByAdmin: true });
        Assert.Equal("Summarize {{text}} for <b>{{who}}</b>", (await ViewAsync(copyId)).Text); // copies stay
        var late = await copier.PostAsync("/prompts/community", "/prompts/community?handler=Copy", ("id", id.ToString()), ("copyId", Guid.NewGuid().ToString()));
        Assert.Equal(HttpStatusCode.NotFound, late.StatusCode);
    }

    [Fact]
    public async Task prompts_export_and_import_with_numbered_names_and_an_invalid_file_changes_nothing()
    {
        var me = await SignedInAsync();
        await CreateAsync(me, "Summary", "Summarize {{text:here}}", "Writing", "work");
        var exported = await me.GetAsync("/prompts?handler=Export");
        Assert.Equal("application/json", exported.Content.Headers.ContentType!.MediaType);
        var bytes = await exported.Content.ReadAsByteArrayAsync();
        using (var json = JsonDocument.Parse(bytes))
            Assert.Equal("Summarize {{text:here}}", json.RootElement.GetProperty("prompts")[0].GetProperty("text").GetString());

        var imported = await me.PostMultipartAsync("/prompts", "/prompts?handler=Import", "file", "prompts.json", bytes, "application/json");
        Assert.Equal(HttpStatusCode.Redirect, imported.StatusCode);
        Assert.Contains("1 prompts imported.", await me.PageAsync(imported.Headers.Location!.OriginalString));
        Assert.Contains(">Summary (2)</a>", me.LastPage);

        async Task<int> CountAsync()
        {
            await using var session = Store.QuerySession();
            return await session.Query<PromptView>().CountAsync();
        }
        var before = await CountAsync();
        var half = Encoding.UTF8.GetBytes("{\"format\":\"sambung-prompts\",\"version\":1,\"prompts\":[{\"name\":\"Fine\",\"text\":\"ok\"},{\"name\":\"Broken\",\"text\":\"{{a:1}} {{a:2}}\"}]}");
        var refused = await me.PostMultipartAsync("/prompts", "/prompts?handler=Import", "file", "bad.json", half, "application/json");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("Nothing was imported: prompt 2 (&quot;Broken&quot;)", await refused.Content.ReadAsStringAsync());
        var garbage = await me.PostMultipartAsync("/prompts", "/prompts?handler=Import", "file", "x.json", [0xff, 0x00, 0x7b], "application/json");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, garbage.StatusCode);
        Assert.Contains("not a prompts file exported from Sambung", await garbage.Content.ReadAsStringAsync());
        Assert.Equal(before, await CountAsync());
    }

    [Fact]
    public async Task using_a_prompt_fills_its_variables_encoded_counts_the_use_and_sorts_by_most_used()
    {
        var me = await SignedInAsync("Ana");
        var id = await CreateAsync(me, "Zeta letter", "Dear {{who:friend}}, a {{tone|kind|stern}} note from {{user_name}}.");
        await CreateAsync(me, "Alpha", "Plain text");

        var form = await me.PageAsync($"/prompts/{id}/use");
        Assert.Contains("<select id=\"prompt-var-1\" name=\"v.tone\">", form);
        Assert.Contains(">friend</textarea>", form);
        var preview = await me.PageAsync($"/prompts/{id}/use?handler=Preview&v.who=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&v.tone=stern");
        Assert.Equal("Dear &lt;img src=x onerror=alert(1)&gt;, a stern note from Ana.", preview.Trim());

        var used = await me.PostAsync($"/prompts/{id}/use", $"/prompts/{id}/use", ("v.who", "Budi"), ("v.tone", "kind"));
        Assert.Equal(HttpStatusCode.OK, used.StatusCode);
        var page = await used.Content.ReadAsStringAsync();
        Assert.Contains(">Dear Budi, a kind note from Ana.</textarea>", page);
        Assert.Contains($"name=\"TemplateId\" value=\"{id}\"", page);
        Assert.Contains("name=\"TemplateVersion\" value=\"1\"", page);

        var list = await me.PageAsync("/prompts?sort=used");
        Assert.True(list.IndexOf("Zeta letter", StringComparison.Ordinal) < list.IndexOf("Alpha", StringComparison.Ordinal), "most used first");
        Assert.Contains("Used 1 times", list);
        var byName = await me.PageAsync("/prompts?sort=name&q=letter");
        Assert.Contains("Zeta letter", byName);
        Assert.DoesNotContain(">Alpha</a>", byName);
        var commands = await me.PageAsync("/prompts?handler=Commands");
        Assert.Contains("\"name\":\"Zeta letter\"", commands);
        Assert.Contains("\"name\":\"Summarize\"", commands); // the built-ins too
    }

    [Fact]
    public async Task built_ins_are_listed_read_only_in_the_user_s_language_and_can_be_copied()
    {
        var me = await SignedInAsync();
        var summarize = PromptTemplate.BuiltInId("summarize");
        Assert.Contains("Summarize", await me.PageAsync("/prompts"));
        Assert.Equal(HttpStatusCode.NotFound, (await me.GetAsync($"/prompts/edit/{summarize}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await me.PostAsync($"/prompts/{summarize}", $"/prompts/{summarize}?handler=Delete")).StatusCode);
        me.SetCookie(".AspNetCore.Culture", "c%3Did%7Cuic%3Did");
        Assert.Contains("Ringkas", await me.PageAsync($"/prompts/{summarize}"));

        var copy = await me.PostAsync($"/prompts/{summarize}", $"/prompts/{summarize}?handler=Copy");
        Assert.Equal(HttpStatusCode.Redirect, copy.StatusCode);
        var copyId = Guid.Parse(Regex.Match(copy.Headers.Location!.OriginalString, "/prompts/([0-9a-f-]+)").Groups[1].Value);
        var view = await ViewAsync(copyId);
        Assert.Equal(("Ringkas", new PromptSource(summarize, 1, null)), (view.Name, view.Source));
    }

    [Fact]
    public async Task a_reply_from_a_prompt_records_the_template_and_version_it_came_from()
    {
        var me = await SignedInAsync();
        var id = await CreateAsync(me, "Ask", "Tell me about {{topic}}");
        Assert.Equal(HttpStatusCode.Redirect, (await EditAsync(me, id, "Tell me more about {{topic}}", 1)).StatusCode);
        Fixture.Llm.Enqueue(FakeReply.Of("First."), FakeReply.Of("Second."), FakeReply.Of("Third."));

        var chat = Guid.CreateVersion7();
        var firstReply = Guid.CreateVersion7();
        var started = await me.PostAsync("/", "/?handler=Start", ("ConversationId", chat.ToString()), ("MessageId", Guid.CreateVersion7().ToString()),
            ("ReplyId", firstReply.ToString()), ("Text", "Tell me more about tea"), ("TemplateId", id.ToString()), ("TemplateVersion", "2"));
        Assert.Equal(HttpStatusCode.Redirect, started.StatusCode);
        await Store.ForReplyToEndAsync(firstReply);

        var secondReply = Guid.CreateVersion7();
        var sent = await me.PostAsync($"/c/{chat}", $"/c/{chat}?handler=Send", ("MessageId", Guid.CreateVersion7().ToString()), ("ReplyId", secondReply.ToString()),
            ("ParentId", firstReply.ToString()), ("Text", "Tell me more about coffee"), ("TemplateId", id.ToString()), ("TemplateVersion", "1"));
        Assert.Equal(HttpStatusCode.Redirect, sent.StatusCode);
        await Store.ForReplyToEndAsync(secondReply);

        var thirdReply = Guid.CreateVersion7();
        await me.PostAsync($"/c/{chat}", $"/c/{chat}?handler=Send", ("MessageId", Guid.CreateVersion7().ToString()), ("ReplyId", thirdReply.ToString()),
            ("ParentId", secondReply.ToString()), ("Text", "Typed by hand"), ("TemplateId", ""), ("TemplateVersion", ""));
        await Store.ForReplyToEndAsync(thirdReply);

        var requested = (await EventsAsync(chat)).OfType<ReplyRequested>().ToList();
        Assert.Equal([new TemplateRef(id, 2), new TemplateRef(id, 1), null], requested.Select(r => r.Context.Template));
        Assert.Equal([firstReply, secondReply, thirdReply], requested.Select(r => r.NodeId));

        // "What the model saw" names the template, links to it and gives the version; a message typed by hand has none.
        var saw = await me.PageAsync($"/c/{chat}/replies/{secondReply}/context");
        Assert.Contains($"<a href=\"/prompts/{id}\">{(await ViewAsync(id)).Name}</a>, version 1", saw); // its name today
        Assert.Matches("<dd>\\s*None\\s*</dd>", await me.PageAsync($"/c/{chat}/replies/{thirdReply}/context"));
        // Once deleted, the template is only the reference the request recorded.
        Assert.Equal(HttpStatusCode.Redirect, (await me.PostAsync($"/prompts/{id}", $"/prompts/{id}?handler=Delete")).StatusCode);
        saw = await me.PageAsync($"/c/{chat}/replies/{secondReply}/context");
        Assert.DoesNotContain($"href=\"/prompts/{id}\"", saw);
        Assert.Contains($"Template {id}, version 1", saw);
    }

    [Fact]
    public async Task deleting_an_account_takes_its_prompts_out_of_the_community_and_masks_their_text()
    {
        const string marker = "wombatprompt";
        var email = $"u{Guid.NewGuid():N}@example.test";
        var author = NewBrowser();
        await author.RegisterAsync(email);
        var id = await CreateAsync(author, $"The {marker}", $"Tell me about {marker} {{{{x}}}}");
        await author.PostAsync($"/prompts/{id}", $"/prompts/{id}?handler=Publish");
        var reader = await SignedInAsync();
        Assert.Contains(marker, await reader.PageAsync("/prompts/community"));

        var deleted = await author.PostAsync("/account/profile", "/account/profile?handler=Delete", ("confirmEmail", email));
        Assert.Equal(HttpStatusCode.Redirect, deleted.StatusCode);

        Assert.DoesNotContain(marker, await reader.PageAsync("/prompts/community"));
        var events = await EventsAsync(id);
        Assert.IsType<PromptDeleted>(events[^1]);
        Assert.All(events, e => Assert.DoesNotContain(marker, JsonSerializer.Serialize(e, e.GetType())));
        await using var session = Store.QuerySession();
        Assert.Null(await session.LoadAsync<PromptView>(id));
    }

    [GeneratedRegex("name=\"Form.PromptId\" value=\"([0-9a-f-]+)\"")]
    private static partial Regex PromptIdField();
}
