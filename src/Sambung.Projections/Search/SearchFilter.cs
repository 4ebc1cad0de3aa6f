using System.Text;
using Npgsql;

namespace Sambung.Projections.Search;

// What a search is narrowed to, beyond the words: chats in one folder, pinned ones, with one tag, that used a model
// or a provider (any reply's model, or the chat's current one), and messages written in [From, To). Titles match
// on the chat's last activity for the dates.
public sealed record SearchFilter(
    Guid? Folder = null, bool PinnedOnly = false, string? Tag = null, string? Provider = null, string? Model = null,
    DateTimeOffset? From = null, DateTimeOffset? To = null)
{
    public static readonly SearchFilter None = new();

    public bool NarrowsChats => Folder is not null || PinnedOnly || Tag is not null || Provider is not null || Model is not null;

    public bool IsEmpty => !NarrowsChats && From is null && To is null;

    // Appends " and ..." conditions on the chat list row aliased c, numbering parameters after those already in the
    // command.
    internal void AppendChatConditions(StringBuilder sql, NpgsqlCommand cmd)
    {
        if (Folder is { } folder) sql.Append($" and c.data->>'FolderId' = {Add(cmd, folder.ToString())}");
        if (PinnedOnly) sql.Append(" and c.pinned");
        if (Tag is { } tag) sql.Append($" and jsonb_exists(c.data->'Tags', {Add(cmd, tag)})");
        if (Provider is null && Model is null) return;
        sql.Append(" and exists (select 1 from jsonb_array_elements_text(coalesce(c.data->'Models', '[]'::jsonb) || jsonb_build_array(c.data->>'Model')) m(v) where true");
        if (Provider is { } provider) sql.Append($" and m.v like {Add(cmd, Like(provider) + "/%")}");
        if (Model is { } model) sql.Append($" and lower(m.v) like {Add(cmd, "%/" + Like(model.ToLowerInvariant()))}");
        sql.Append(')');
    }

    internal void AppendDateConditions(StringBuilder sql, NpgsqlCommand cmd, string column)
    {
        if (From is { } from) sql.Append($" and {column} >= {Add(cmd, from)}");
        if (To is { } to) sql.Append($" and {column} < {Add(cmd, to)}");
    }

    internal static string Add(NpgsqlCommand cmd, object value)
    {
        cmd.Parameters.Add(new NpgsqlParameter { Value = value });
        return "$" + cmd.Parameters.Count;
    }

    // LIKE treats % and _ as wildcards and \ as the escape: a model id is matched as written.
    internal static string Like(string text) => text.Replace(@"\", @"\\").Replace("%", @"\%").Replace("_", @"\_");
}
