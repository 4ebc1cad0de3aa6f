using Marten;
using Npgsql;
using Sambung.Projections.Usage;
using Sambung.Projections.Conversations;

namespace Sambung.Web.Features.Analytics;

// One chat's usage over the period. Title null: the chat is in Trash or purged ("deleted chat" on the page).
public sealed record UsageChatRow(Guid ConversationId, string? Title, bool Deleted, int Requests, int Failed,
    long InputTokens, long OutputTokens, decimal Cost, int UnpricedRequests);

// The chats with usage in the period, most expensive first: all of them for an export, the first Shown for the page;
// Count: how many there are in all.
public sealed record UsageChats(IReadOnlyList<UsageChatRow> Rows, int Count)
{
    public const int Shown = 20;
}

// By chat: one owner's UsageChatDay rows of a range summed in SQL from the columns its (owner, day) index carries,
// each row priced with the price in effect on its day (UsageSql), so the page reads one row per chat, not one per
// chat, day and model.
public static class UsageChatQuery
{
    public static async Task<UsageChats> LoadAsync(NpgsqlDataSource db, IQuerySession session, string ownerId, UsageRange range,
        PriceBook prices, CancellationToken ct, int? limit = UsageChats.Shown)
    {
        var table = session.DocumentStore.Options.Schema.For<UsageChatDay>();
        await using var command = db.CreateCommand($"""
            with {UsageSql.Prices(4)}
            select d.conversation_id, sum(d.requests), sum(d.failed), sum(d.input_tokens), sum(d.output_tokens),
                   {UsageSql.Cost}, {UsageSql.Unpriced}
            from {table} d
            left join p on p.model = d.model and d.day >= p.f and d.day < p.u
            where d.owner_id = $1 and d.day >= $2 and d.day <= $3
            group by d.conversation_id
            """);
        command.Parameters.AddWithValue(ownerId);
        command.Parameters.AddWithValue(range.From);
        command.Parameters.AddWithValue(range.To);
        UsageSql.AddPrices(command, prices);

        var sums = new List<(Guid Id, int Requests, int Failed, long Input, long Output, decimal Cost, int Unpriced)>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
                sums.Add((reader.GetGuid(0), (int)reader.GetInt64(1), (int)reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4),
                    reader.GetDecimal(5), (int)reader.GetInt64(6)));

        var ordered = sums.OrderByDescending(s => s.Cost).ThenByDescending(s => s.Input + s.Output).ThenBy(s => s.Id)
            .Take(limit ?? int.MaxValue).ToList();
        // Titles from the chat list, this owner's only, for the rows kept; a chat in Trash or purged is shown as deleted.
        var ids = ordered.Select(s => s.Id).ToArray();
        var items = (await session.Query<ChatListItem>().Where(c => c.OwnerId == ownerId && ids.Contains(c.Id)).ToListAsync(ct))
            .ToDictionary(c => c.Id);
        return new UsageChats(ordered.Select(s =>
        {
            var item = items.GetValueOrDefault(s.Id);
            var live = item is { InTrash: false };
            return new UsageChatRow(s.Id, live ? item!.Title : null, !live, s.Requests, s.Failed, s.Input, s.Output, s.Cost, s.Unpriced);
        }).ToList(), sums.Count);
    }
}
