using System.Net;
using System.Text;
using Microsoft.Extensions.Localization;
using Sambung.Events.Conversations;
using Sambung.Projections.Conversations;
using Sambung.Web.Features.Rendering;

namespace Sambung.Web.Features.Chats;

// The inside of a message bubble, shared by the page (Razor) and the end of a stream (SSE), so both look the same.
public static class MessageBody
{
    public static string Element(TreeNode node, IStringLocalizer text) =>
        $"<div class=\"message-body\" id=\"b-{node.Id}\">{Html(node, text)}</div>";

    public static string Html(TreeNode node, IStringLocalizer text)
    {
        var html = new StringBuilder(SafeMarkdown.ToHtml(node.Text, RenderLabels.From(text)));
        var note = node.Status switch
        {
            ReplyStatus.Failed or ReplyStatus.Interrupted => Note("reply-error", "alert", text[$"Reply.Error.{node.ErrorKind}"].ResourceNotFound
                ? text["Reply.Error.unknown"] : text[$"Reply.Error.{node.ErrorKind}"], node.ErrorMessage),
            ReplyStatus.Stopped => Note("reply-note", null, text["Reply.Stopped"], null),
            _ => null,
        };
        return html.Append(note).ToString();
    }

    private static string Note(string cssClass, string? role, string message, string? detail)
    {
        var roleAttribute = role is null ? "" : $" role=\"{role}\"";
        var details = string.IsNullOrWhiteSpace(detail) ? "" : $" <span class=\"reply-detail\">{WebUtility.HtmlEncode(detail)}</span>";
        return $"<p class=\"{cssClass}\"{roleAttribute}>{WebUtility.HtmlEncode(message)}{details}</p>";
    }
}
