using System.IO.Compression;
using System.Text;
using Marten;
using Sambung.Events.Library;
using Sambung.Projections;
using Sambung.Projections.Conversations;
using Sambung.Projections.Library;
using Sambung.Web.Features.Accounts;
using Sambung.Web.Features.Chats;

namespace Sambung.Web.Features.Transfer;

// "/export/all": every chat of the signed-in user that is not in the Trash, as one ZIP with a folder per user
// folder (chats in no folder at the root). Each chat is our JSON file (what an import reads back) with a Markdown
// copy of its branch on screen beside it for people. Written straight into the response, one chat at a time.
public static class AllChatsExport
{
    public static void MapAllChatsExport(this WebApplication app) =>
        app.MapGet("/export/all", async (HttpContext http, IQuerySession session, CurrentUser user, TimeProvider clock, CancellationToken ct) =>
        {
            var now = clock.GetUtcNow();
            var folders = (await session.LoadAsync<LibraryView>(UserLibrary.IdFor(user.Id), ct))?.Folders ?? [];
            var directories = Directories(folders);
            var chats = await session.QueryAsync<ChatListItem>(
                $"select data from {SambungStore.Schema}.mt_doc_chatlistitem where owner_id = ? and coalesce(in_trash, false) = false order by id",
                ct, user.Id);

            http.Response.ContentType = "application/zip";
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"sambung-chats-{now:yyyy-MM-dd}.zip\"";
            await using var zip = new ZipArchive(http.Response.BodyWriter.AsStream(), ZipArchiveMode.Create, leaveOpen: true);
            var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var chat in chats)
            {
                if (await session.FindTreeAsync(chat.Id, user.Id, ct) is not { } tree) continue;
                var directory = chat.FolderId is { } f && directories.TryGetValue(f, out var d) ? d + "/" : "";
                var name = Unique(used, directory + ChatExport.FileName(tree.Title));

                var events = await session.Events.FetchStreamAsync(chat.Id, token: ct);
                await using (var json = await zip.CreateEntry(name + ".json", CompressionLevel.Fastest).OpenAsync(ct))
                    await ChatFile.WriteAsync(json, chat.Id, tree.Title, events, folders, now, ct);

                var markdown = ChatExport.Markdown(tree, await session.PathToAsync(chat.Id, tree.ActiveLeafId, ct));
                await using var md = await zip.CreateEntry(name + ".md", CompressionLevel.Fastest).OpenAsync(ct);
                await md.WriteAsync(Encoding.UTF8.GetBytes(markdown), ct);
            }
        });

    // A directory name per folder: the folder's name where a file system allows it, unique in the ZIP.
    public static IReadOnlyDictionary<Guid, string> Directories(IEnumerable<FolderView> folders)
    {
        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var names = new Dictionary<Guid, string>();
        foreach (var folder in folders)
        {
            var safe = new string(folder.Name.Select(c => char.IsControl(c) || "/\\:*?\"<>|".Contains(c) ? '-' : c).ToArray()).Trim().Trim('.');
            names[folder.Id] = Unique(used, safe.Length == 0 ? "folder" : safe);
        }
        return names;
    }

    private static string Unique(HashSet<string> used, string name)
    {
        var candidate = name;
        for (var n = 2; !used.Add(candidate); n++) candidate = $"{name} ({n})";
        return candidate;
    }
}
