using System.Text;
using Marten;
using Sambung.Events.Conversations;
using Sambung.Events.Library;
using Sambung.Projections.Conversations;
using Sambung.Projections.Library;
using Sambung.Web.Features.Accounts;
using Sambung.Web.Features.Transfer;

namespace Sambung.Web.Features.Chats;

// One chat as a file: Markdown or plain text (the branch on screen, every message of it), or JSON (the whole event
// history, every branch and version, lossless, with a format name and version). Owner-scoped like everything else.
public static class ChatExport
{
    public static void MapChatExport(this WebApplication app) =>
        app.MapGet("/c/{id:guid}/export", async (Guid id, string? format, IQuerySession session, CurrentUser user, TimeProvider clock, CancellationToken ct) =>
        {
            if (await session.FindTreeAsync(id, user.Id, ct) is not { } tree) return Results.NotFound();
            var name = FileName(tree.Title);
            switch (format)
            {
                case "md" or "txt":
                    var path = await session.PathToAsync(id, tree.ActiveLeafId, ct);
                    var text = format == "md" ? Markdown(tree, path) : PlainText(tree, path);
                    return Results.File(Encoding.UTF8.GetBytes(text), format == "md" ? "text/markdown; charset=utf-8" : "text/plain; charset=utf-8",
                        $"{name}.{format}");
                case "json":
                    var events = await session.Events.FetchStreamAsync(id, token: ct);
                    var folders = (await session.LoadAsync<LibraryView>(UserLibrary.IdFor(user.Id), ct))?.Folders ?? [];
                    var file = new MemoryStream();
                    await ChatFile.WriteAsync(file, id, tree.Title, events, folders, clock.GetUtcNow(), ct);
                    return Results.File(file.ToArray(), "application/json", $"{name}.json");
                default:
                    return Results.BadRequest();
            }
        });

    public static string Markdown(ConversationTree tree, IEnumerable<TreeNode> path)
    {
        var md = new StringBuilder($"# {tree.Title}\n");
        if (!string.IsNullOrWhiteSpace(tree.SystemPrompt)) md.Append($"\n> System prompt: {tree.SystemPrompt.ReplaceLineEndings("\n> ")}\n");
        foreach (var node in path.Where(n => n.Text.Length > 0))
            md.Append($"\n## {Speaker(node)}\n\n{node.Text.Trim()}\n");
        return md.ToString();
    }

    public static string PlainText(ConversationTree tree, IEnumerable<TreeNode> path)
    {
        var text = new StringBuilder($"{tree.Title}\n{new string('=', Math.Min(tree.Title.Length, 80))}\n");
        foreach (var node in path.Where(n => n.Text.Length > 0))
            text.Append($"\n{Speaker(node)}:\n{node.Text.Trim()}\n");
        return text.ToString();
    }

    private static string Speaker(TreeNode node) => node.Kind switch
    {
        NodeKind.User => "You",
        NodeKind.Merge => "Merged from another branch",
        _ => node.Model is { } model ? $"Assistant ({node.ProviderModelId ?? model.Model})" : "Assistant",
    };

    // A file name from the title: letters, digits and dashes, never empty.
    public static string FileName(string title)
    {
        var safe = new string(title.Select(c => char.IsLetterOrDigit(c) ? c : '-').ToArray());
        safe = string.Join('-', safe.Split('-', StringSplitOptions.RemoveEmptyEntries));
        return safe.Length == 0 ? "chat" : safe[..Math.Min(safe.Length, 60)];
    }
}
