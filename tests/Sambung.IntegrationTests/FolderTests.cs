using System.Net;
using Marten;
using Sambung.IntegrationTests.Support;
using Sambung.Projections.Conversations;

namespace Sambung.IntegrationTests;

public sealed class FolderTests(AccountsFixture fixture) : AccountsTest(fixture)
{
    private static async Task<Guid> StartChatAsync(TestBrowser browser, string text)
    {
        var id = Guid.CreateVersion7();
        await browser.PostAsync("/", "/?handler=Start", ("ConversationId", id.ToString()), ("MessageId", Guid.CreateVersion7().ToString()),
            ("ReplyId", Guid.CreateVersion7().ToString()), ("Text", text));
        return id;
    }

    private async Task<Guid> FolderIdAsync(string name)
    {
        await using var session = Store.QuerySession();
        var views = await session.Query<Sambung.Projections.Library.LibraryView>().ToListAsync();
        return views.SelectMany(v => v.Folders).Single(f => f.Name == name).Id;
    }

    [Fact]
    public async Task folders_and_tags_organise_chats_and_filter_the_sidebar()
    {
        var me = await SignedInAsync();
        var work = await StartChatAsync(me, "Quarterly report");
        var home = await StartChatAsync(me, "Dinner ideas");

        Assert.Equal(HttpStatusCode.OK, (await me.PostAsync("/folders", "/folders?handler=Create", ("name", "  Work  "))).StatusCode);
        var refused = await me.PostAsync("/folders", "/folders?handler=Create", ("name", "work"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("already have a folder with that name", await refused.Content.ReadAsStringAsync());
        var folder = await FolderIdAsync("Work");

        await me.PostAsync($"/c/{work}", $"/c/{work}?handler=Move", ("folder", folder.ToString()));
        await me.PostAsync($"/c/{work}", $"/c/{work}?handler=Tag", ("tag", "Finance"));
        await me.PostAsync($"/c/{home}", $"/c/{home}?handler=Tag", ("tag", "finance")); // the same tag, its first spelling kept

        var inFolder = await me.PageAsync($"/?folder={folder}");
        Assert.Contains($"href=\"/c/{work}\"", inFolder);
        Assert.DoesNotContain($"href=\"/c/{home}\"", inFolder);
        var tagged = await me.PageAsync("/?tag=FINANCE");
        Assert.Contains($"href=\"/c/{work}\"", tagged);
        Assert.Contains($"href=\"/c/{home}\"", tagged);
        Assert.Contains("#Finance", tagged);

        await me.PostAsync($"/c/{home}", $"/c/{home}?handler=Untag", ("tag", "Finance"));
        Assert.DoesNotContain($"href=\"/c/{home}\"", await me.PageAsync("/?tag=Finance"));

        await me.PostAsync("/folders", "/folders?handler=Rename", ("folderId", folder.ToString()), ("name", "Office"));
        Assert.Contains(">Office</a>", await me.PageAsync("/folders"));
        await me.PostAsync("/folders", "/folders?handler=Delete", ("folderId", folder.ToString()));
        await using var session = Store.QuerySession();
        Assert.Null((await session.LoadAsync<ChatListItem>(work))!.FolderId); // its chats are back in the main list
        Assert.Equal(HttpStatusCode.NotFound, (await me.GetAsync($"/?folder={folder}")).StatusCode);
    }

    [Fact]
    public async Task another_user_s_folder_is_not_found_on_every_route()
    {
        var owner = await SignedInAsync();
        await owner.PostAsync("/folders", "/folders?handler=Create", ("name", $"Private {Guid.NewGuid():N}"));
        await using (var session = Store.QuerySession())
        {
            var theirs = (await session.Query<Sambung.Projections.Library.LibraryView>().ToListAsync()).SelectMany(v => v.Folders)
                .First(f => f.Name.StartsWith("Private ")).Id;
            var me = await SignedInAsync();
            var chat = await StartChatAsync(me, "Mine");

            Assert.Equal(HttpStatusCode.NotFound, (await me.GetAsync($"/?folder={theirs}")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await me.GetAsync($"/chats?handler=More&after=0_1_{Guid.NewGuid():N}&folder={theirs}")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await me.PostAsync("/folders", "/folders?handler=Rename", ("folderId", theirs.ToString()), ("name", "Taken"))).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await me.PostAsync("/folders", "/folders?handler=Delete", ("folderId", theirs.ToString()))).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await me.PostAsync($"/c/{chat}", $"/c/{chat}?handler=Move", ("folder", theirs.ToString()))).StatusCode);
        }
        await using var check = Store.QuerySession();
        Assert.DoesNotContain(await check.Query<ChatListItem>().ToListAsync(), c => c.FolderId is not null);
        Assert.Contains((await check.Query<Sambung.Projections.Library.LibraryView>().ToListAsync()).SelectMany(v => v.Folders), f => f.Name.StartsWith("Private "));
    }
}
