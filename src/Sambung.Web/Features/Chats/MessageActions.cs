using System.Net;
using Microsoft.Extensions.Localization;
using Sambung.Events.Conversations;
using Sambung.Projections.Conversations;

namespace Sambung.Web.Features.Chats;

// The buttons under a finished message (Copy; Edit for the user's, Regenerate for a reply). Built here because both the
// page and the end of a stream (SSE, out of band) render them.
public static class MessageActions
{
    public static string Html(TreeNode node, string antiforgeryToken, IStringLocalizer text)
    {
        var action = $"/c/{node.ConversationId}";
        string Hidden(string name, object value) =>
            $"<input type=\"hidden\" name=\"{name}\" value=\"{WebUtility.HtmlEncode(value.ToString())}\">";
        string Form(string handler, string body) =>
            $"<form method=\"post\" action=\"{action}?handler={handler}\" hx-post=\"{action}?handler={handler}\" hx-include=\"#{ComposerVersion.ElementId}\">"
            + Hidden("__RequestVerificationToken", antiforgeryToken) + body + "</form>";
        string Encode(string key) => WebUtility.HtmlEncode(text[key]);
        // Copies the message as shown (app.js); a button only scripts can use, so it starts hidden.
        var copy = node.Text.Length == 0 ? ""
            : $"<button type=\"button\" class=\"button copy-message\" hidden data-copied=\"{Encode("Message.Copied")}\">{Encode("Message.Copy")}</button>";

        return copy + node.Kind switch
        {
            NodeKind.User =>
                $"<details class=\"edit\"><summary class=\"button\">{Encode("Message.Edit")}</summary>"
                + Form("Edit",
                    Hidden("EditOf", node.Id) + Hidden("NewMessageId", Guid.CreateVersion7()) + Hidden("ReplyId", Guid.CreateVersion7())
                    + $"<label for=\"edit-{node.Id}\">{Encode("Message.EditLabel")}</label>"
                    + $"<textarea id=\"edit-{node.Id}\" name=\"Text\" rows=\"3\" required maxlength=\"{ConversationDecisions.MaxMessageLength}\">{WebUtility.HtmlEncode(node.Text)}</textarea>"
                    + $"<button type=\"submit\" class=\"button primary\">{Encode("Message.SaveAndSend")}</button>")
                + "</details>",
            // A reply that failed offers to try again (a new sibling reply, the failed one stays in the history).
            NodeKind.Assistant when !node.IsPending =>
                Form("Regenerate", Hidden("ReplyOf", node.Id) + Hidden("NewReplyId", Guid.CreateVersion7())
                    + $"<button type=\"submit\" class=\"button\">{Encode(node.Status is ReplyStatus.Failed or ReplyStatus.Interrupted ? "Reply.Retry" : "Message.Regenerate")}</button>"),
            _ => "",
        } + WhatTheModelSaw(node, text);
    }

    // "What the model saw": a panel under the reply (htmx), or its own page (a plain GET) without JavaScript.
    private static string WhatTheModelSaw(TreeNode node, IStringLocalizer text)
    {
        if (node.Kind != NodeKind.Assistant || node.IsPending) return "";
        var url = $"/c/{node.ConversationId}/replies/{node.Id}/context";
        return $"<form method=\"get\" action=\"{url}\" hx-get=\"{url}\" hx-target=\"#saw-{node.Id}\" hx-swap=\"innerHTML\">"
            + $"<button type=\"submit\" class=\"button\">{WebUtility.HtmlEncode(text["ModelSaw.Open"])}</button></form>"
            + $"<div id=\"saw-{node.Id}\" class=\"model-saw-slot\"></div>";
    }

    public static string Element(TreeNode node, string antiforgeryToken, IStringLocalizer text, bool outOfBand = false) =>
        $"<div class=\"message-actions\" id=\"actions-{node.Id}\"{(outOfBand ? " hx-swap-oob=\"true\"" : "")}>{Html(node, antiforgeryToken, text)}</div>";
}
