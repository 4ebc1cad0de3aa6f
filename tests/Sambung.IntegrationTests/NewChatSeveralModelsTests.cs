using System.Net;
using System.Text.RegularExpressions;
using Alba;
using Marten;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using Sambung.Events.Conversations;
using Sambung.FakeProviders;
using Sambung.IntegrationTests.Support;
using Sambung.Projections.Conversations;
using Sambung.Web.Features.Analytics;
using Sambung.Web.Features.Streaming;
using Sambung.Web.Infrastructure;

namespace Sambung.IntegrationTests;

// "Ask several models" from the new-chat page: the choice of models opens from the composer, and sending it starts
// one conversation with the message and a reply from each model, opened with the replies in columns.
public sealed partial class NewChatSeveralModelsTests(AppFixture app) : AppTest(app)
{
    private const string Owner = Conversations.Owner;

    // The new-chat composer's "Ask several models" post: the model choice (a page without htmx), its hidden fields.
    private async Task<(string Html, Dictionary<string, string> Fields, string Cookie)> OpenChoiceAsync(string text, bool htmx = false)
    {
        var composer = await PageForm.ReadAsync(Host, "/");
        var html = await (await Host.Scenario(s =>
        {
            s.Post.FormData(composer.With(("Text", text), ("Model", "openai|fake-mini"))).ToUrl("/").QueryString("handler", "Several");
            s.WithRequestHeader("Cookie", composer.Cookie);
            if (htmx) s.WithRequestHeader("HX-Request", "true");
            s.StatusCodeShouldBeOk();
        })).ReadAsTextAsync();
        var form = FormPattern().Match(html).Value;
        var fields = new Dictionary<string, string>();
        var replies = 0;
        foreach (Match input in HiddenPattern().Matches(form))
        {
            var name = input.Groups["name"].Value;
            fields[name == "ReplyIds" ? $"ReplyIds[{replies++}]" : name] = WebUtility.HtmlDecode(input.Groups["value"].Value);
        }
        return (html, fields, composer.Cookie);
    }

    private async Task<IScenarioResult> SendAsync(Dictionary<string, string> fields, string cookie, string text, HttpStatusCode status,
        params string[] models)
    {
        var all = new Dictionary<string, string>(fields) { ["Text"] = text };
        for (var i = 0; i < models.Length; i++) all[$"Model[{i}]"] = models[i];
        return await Host.Scenario(s =>
        {
            s.Post.FormData(all).ToUrl("/").QueryString("handler", "SendSeveral");
            s.WithRequestHeader("Cookie", cookie);
            s.StatusCodeShouldBe(status);
        });
    }

    private async Task<int> EventCountAsync(Guid id)
    {
        await using var session = Store.QuerySession();
        return (await session.Events.FetchStreamAsync(id)).Count;
    }

    [Fact]
    public async Task the_new_chat_composer_opens_the_model_choice_with_the_text_typed_so_far()
    {
        Assert.Contains(">Ask several models</button>", await Host.GetAsText("/"));

        var (page, fields, _) = await OpenChoiceAsync("Which island?");
        Assert.Contains(">Which island?</textarea>", page);
        Assert.Contains("value=\"openai|fake-mini\" checked", page);
        Assert.Contains("value=\"openai|fake-gpt\"", page);
        Assert.Contains("action=\"/?handler=SendSeveral\"", page);
        // A plain form: sending it opens the new chat (no htmx swap into a page that has no messages yet).
        Assert.DoesNotMatch("id=\"ask-several-form\"[^>]*hx-post", page);
        Assert.True(Guid.TryParse(fields["ConversationId"], out _));
        Assert.Equal(4, fields.Keys.Count(k => k.StartsWith("ReplyIds[", StringComparison.Ordinal)));

        // With htmx, only the form comes back (into the panel under the composer).
        var (panel, _, _) = await OpenChoiceAsync("Which island?", htmx: true);
        Assert.StartsWith("<section class=\"ask-several\"", panel.TrimStart());
        Assert.DoesNotContain("<html", panel);
    }

    [Fact]
    public async Task sending_starts_one_chat_with_the_message_and_a_reply_from_each_model_and_opens_it_in_columns()
    {
        var (_, fields, cookie) = await OpenChoiceAsync("Which island?");
        var (id, message) = (Guid.Parse(fields["ConversationId"]), Guid.Parse(fields["MessageId"]));
        var replies = Enumerable.Range(0, 4).Select(i => Guid.Parse(fields[$"ReplyIds[{i}]"])).ToArray();
        App.Llm.Enqueue(new FakeReply { Text = "Bali.", FirstTokenDelay = TimeSpan.FromSeconds(1) },
            new FakeReply { Text = "Lombok.", FirstTokenDelay = TimeSpan.FromSeconds(1) });

        var sent = await SendAsync(fields, cookie, "Which island?", HttpStatusCode.Redirect, "openai|fake-gpt", "openai|fake-mini");
        Assert.Equal($"/c/{id}?several={message}", sent.Context.Response.Headers.Location.ToString());

        // The page it opens: the message, then both replies side by side, each streaming on its own.
        var page = await Host.GetAsText($"/c/{id}?several={message}");
        Assert.Contains("class=\"several-columns\"", page);
        foreach (var reply in replies.Take(2))
            Assert.Contains($"name=\"NodeId\" value=\"{reply}\"", page);
        Assert.Equal(2, Regex.Matches(page, ">Continue with this one</button>").Count);
        Assert.Contains("Which island?", page);

        var first = await Store.ForReplyToEndAsync(replies[0]);
        var second = await Store.ForReplyToEndAsync(replies[1]);
        Assert.Equal((new ModelRef("openai", "fake-gpt"), new ModelRef("openai", "fake-mini")), (first.Model, second.Model));
        Assert.All([first, second], reply =>
        {
            Assert.Equal(message, reply.ParentId);
            Assert.Equal(ReplyStatus.Completed, reply.Status);
            Assert.NotNull(reply.Usage);
        });
        Assert.Equal(["Bali.", "Lombok."], new[] { first.Text, second.Text }.Order());

        await using (var session = Store.QuerySession())
        {
            var events = (await session.Events.FetchStreamAsync(id)).Select(e => e.Data).ToList();
            var started = Assert.IsType<ConversationStarted>(events[0]);
            Assert.Equal((Owner, new ModelRef("openai", "fake-gpt")), (started.OwnerId, started.Model));
            Assert.Equal(message, Assert.IsType<UserMessagePosted>(events[1]).NodeId);
            Assert.Equal(replies.Take(2), events.OfType<ReplyRequested>().Select(r => r.NodeId));
            // The chat is in the owner's chat list.
            var item = await session.LoadAsync<ChatListItem>(id);
            Assert.Equal(Owner, item!.OwnerId);
        }
        Assert.Contains($"href=\"/c/{id}\"", await Host.GetAsText("/"));

        // The same form again (a double click) starts nothing new.
        var count = await EventCountAsync(id);
        var again = await SendAsync(fields, cookie, "Which island?", HttpStatusCode.Redirect, "openai|fake-gpt", "openai|fake-mini");
        Assert.Equal($"/c/{id}?several={message}", again.Context.Response.Headers.Location.ToString());
        Assert.Equal(count, await EventCountAsync(id));

        // Once a reply is continued from, the chat opens on it (no columns), the others a "version" away.
        await new Conversations(Host).AppliedAsync(new SelectBranch(id, replies[0], Owner));
        var chosen = await Host.GetAsText($"/c/{id}");
        Assert.DoesNotContain("several-columns", chosen);
        Assert.Contains("1 / 2", chosen);
    }

    [Fact]
    public async Task no_model_more_than_four_an_empty_message_or_over_budget_is_refused_clearly_and_nothing_starts()
    {
        var (_, fields, cookie) = await OpenChoiceAsync("Which island?");
        var id = Guid.Parse(fields["ConversationId"]);

        async Task<string> RefusedAsync(string text, params string[] models) =>
            await (await SendAsync(fields, cookie, text, HttpStatusCode.UnprocessableEntity, models)).ReadAsTextAsync();

        var none = await RefusedAsync("Which island?");
        Assert.Contains("Choose at least one model.", none);
        Assert.Contains(">Which island?</textarea>", none); // what was typed stays
        Assert.Contains("Choose at most 4 models.", await RefusedAsync("Which island?", "openai|a", "openai|b", "openai|c", "openai|d", "openai|e"));
        Assert.Contains("Write a message before sending.", await RefusedAsync(" ", "openai|fake-gpt", "openai|fake-mini"));
        Assert.Contains("Each model can be chosen once.", await RefusedAsync("Which island?", "openai|fake-gpt", "openai|fake-gpt"));
        Assert.Equal(0, await EventCountAsync(id));
        // Missing ids are a broken form, not a refusal.
        await SendAsync(new(fields) { ["MessageId"] = "" }, cookie, "Which island?", HttpStatusCode.BadRequest, "openai|fake-gpt");

        // Over the monthly budget.
        var budgets = Host.Services.GetRequiredService<Budgets>();
        var chats = new Conversations(Host);
        var (spent, _, reply) = await chats.StartAsync("Hello");
        await chats.CompleteAsync(spent, reply, "Hi", input: 60, output: 40);
        await Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));
        await budgets.SaveAsync(s => { s.Users[Owner] = new Budget(100, null); return s; }, default);
        try
        {
            var over = await RefusedAsync("Which island?", "openai|fake-gpt", "openai|fake-mini");
            Assert.Contains("You have used this month", over);
            Assert.Contains(">Which island?</textarea>", over);
            Assert.Equal(0, await EventCountAsync(id));
        }
        finally
        {
            await budgets.SaveAsync(s => { s.Users.Remove(Owner); return s; }, default);
        }
    }

    [Fact]
    public async Task another_users_chat_id_is_refused_and_their_chat_is_not_shown()
    {
        var stranger = new Conversations(Host, "someone-else");
        var (otherId, otherMessage, _) = await stranger.StartAsync("Secret question");
        var (_, fields, cookie) = await OpenChoiceAsync("Which island?");

        var refused = await (await SendAsync(new(fields) { ["ConversationId"] = otherId.ToString() }, cookie, "Which island?",
            HttpStatusCode.UnprocessableEntity, "openai|fake-gpt", "openai|fake-mini")).ReadAsTextAsync();
        Assert.DoesNotContain("Secret", refused);
        Assert.Equal(3, await EventCountAsync(otherId));
        await Host.Scenario(s =>
        {
            s.Get.Url($"/c/{otherId}?several={otherMessage}");
            s.StatusCodeShouldBe(HttpStatusCode.NotFound);
        });
    }

    [GeneratedRegex("<form id=\"ask-several-form\".*?</form>", RegexOptions.Singleline)]
    private static partial Regex FormPattern();

    [GeneratedRegex("<input type=\"hidden\" name=\"(?<name>[^\"]+)\" value=\"(?<value>[^\"]*)\">")]
    private static partial Regex HiddenPattern();
}
