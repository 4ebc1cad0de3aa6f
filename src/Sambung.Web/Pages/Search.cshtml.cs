using System.Net;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;
using Sambung.Projections.Conversations;
using Sambung.Projections.Search;
using Sambung.Web.Features.Accounts;

namespace Sambung.Web.Pages;

// One chat in the results: its title, and up to three of its messages that match (each opens at that message).
public sealed record SearchResult(ChatListItem Chat, bool TitleMatches, IReadOnlyList<MessageHit> Hits);

// "/search?q=": titles and the text of every message version (all branches, edited originals), newest first.
public sealed partial class SearchModel(IQuerySession session, NpgsqlDataSource db, CurrentUser user) : PageModel
{
    public const int HitsRead = 200;
    public const int HitsPerChat = 3;
    public const int ChatsShown = 30;

    public string Query { get; private set; } = "";
    public IReadOnlyList<SearchResult> Results { get; private set; } = [];

    public async Task OnGetAsync([FromQuery] string? q, CancellationToken ct)
    {
        Query = (q ?? "").Trim();
        if (Query.Length > MessageSearch.MaxQueryLength) Query = Query[..MessageSearch.MaxQueryLength];
        if (Query.Length == 0) return;

        var hits = await MessageSearch.SearchAsync(db, user.Id, Query, HitsRead, ct);
        var titled = await session.Query<ChatListItem>()
            .Where(c => c.OwnerId == user.Id && !c.InTrash && c.Title.Contains(Query, StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(c => c.UpdatedAt).Take(ChatsShown).ToListAsync(ct);

        var order = titled.Select(c => c.Id).Concat(hits.Select(h => h.ConversationId)).Distinct().Take(ChatsShown).ToList();
        var chats = (await session.LoadManyAsync<ChatListItem>(ct, order.Except(titled.Select(c => c.Id)).ToArray()))
            .Concat(titled).Where(c => c.OwnerId == user.Id && !c.InTrash).ToDictionary(c => c.Id);
        Results = order.Where(chats.ContainsKey).Select(id => new SearchResult(chats[id], titled.Any(t => t.Id == id),
            hits.Where(h => h.ConversationId == id).Take(HitsPerChat).ToList())).ToList();
    }

    // The snippet as text, with the matched words (marked [[ ]] by ts_headline) in <mark>: markdown's markers
    // dropped (a snippet reads as prose), then encoded, so a message's own markup stays text.
    public static string Highlight(string snippet) =>
        WebUtility.HtmlEncode(MarkdownMarkers().Replace(snippet, "")).Replace("[[", "<mark>").Replace("]]", "</mark>");

    [System.Text.RegularExpressions.GeneratedRegex(@"```[\w+#.-]*|\*\*|__|`|^#{1,6}\s", System.Text.RegularExpressions.RegexOptions.Multiline)]
    private static partial System.Text.RegularExpressions.Regex MarkdownMarkers();
}
