using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Sambung.Events.Conversations;

namespace Sambung.Web.Features.Chats;

// What the composer form posts. Ids are made when the form is rendered, so a repeated post (double click,
// network retry) carries the same ids and changes nothing the second time.
public sealed class ComposerForm
{
    public Guid? ConversationId { get; set; }
    public Guid MessageId { get; set; }
    public Guid ReplyId { get; set; }
    public Guid? ParentId { get; set; }
    public long? ExpectedVersion { get; set; }
    public string? Text { get; set; }

    // Set by the prompt library when a prompt fills the composer: the reply records which template (and version)
    // produced it. A claim about the user's own message, so it is not looked up here (readers scope it).
    public Guid? TemplateId { get; set; }
    public int? TemplateVersion { get; set; }
    public TemplateRef? Template => TemplateId is { } id && id != Guid.Empty && TemplateVersion is > 0 ? new(id, TemplateVersion.Value) : null;

    // The form as posted (SendEndpoint reads it without model binding): an empty field is no value, as the form
    // sends its unset hidden fields; a value that does not parse makes the whole post malformed (null).
    public static ComposerForm? Read(IFormCollection form) =>
        Optional(form, "ConversationId", Guid.TryParse, out Guid? conversation) && Optional(form, "MessageId", Guid.TryParse, out Guid? message)
            && Optional(form, "ReplyId", Guid.TryParse, out Guid? reply) && Optional(form, "ParentId", Guid.TryParse, out Guid? parent)
            && Optional(form, "ExpectedVersion", long.TryParse, out long? version) && Optional(form, "TemplateId", Guid.TryParse, out Guid? template)
            && Optional(form, "TemplateVersion", int.TryParse, out int? templateVersion)
            ? new ComposerForm
            {
                ConversationId = conversation, MessageId = message ?? Guid.Empty, ReplyId = reply ?? Guid.Empty, ParentId = parent,
                ExpectedVersion = version, Text = form["Text"].ToString(), TemplateId = template, TemplateVersion = templateVersion,
            }
            : null;

    private delegate bool Parser<T>(string? text, out T value);

    private static bool Optional<T>(IFormCollection form, string name, Parser<T> parse, out T? value) where T : struct
    {
        value = null;
        var text = form[name].ToString().Trim();
        if (text.Length == 0) return true;
        if (!parse(text, out var parsed)) return false;
        value = parsed;
        return true;
    }
}

public sealed record ComposerModel(
    Guid? ConversationId, Guid? ParentId, long Version, string Text = "", string? Error = null, bool OutOfBand = false)
{
    public Guid MessageId { get; } = Guid.CreateVersion7();
    public Guid ReplyId { get; } = Guid.CreateVersion7();
    public TemplateRef? Template { get; init; }
    public bool StartsConversation => ConversationId is null;
    public string Action => ConversationId is { } id ? SendEndpoint.PageUrlFor(id) : "/?handler=Start";
    // Where htmx posts it (a new chat's form is posted whole, as it leads to the new chat's page).
    public string? HtmxAction => ConversationId is { } id ? SendEndpoint.UrlFor(id) : null;

    public static ComposerModel ForNewChat(string text = "", string? error = null) => new(null, null, 0, text, error);
}

// How the chat page answers htmx when a command changes nothing or is refused: nothing swapped, or the refusal above
// the composer (what was typed stays where it is).
public static class ComposerAnswers
{
    public static IActionResult NothingToSwap(HttpContext http)
    {
        http.Response.Htmx(h => h.Reswap("none"));
        return new EmptyResult();
    }

    // Keeps what the user typed; only the message above the composer changes.
    public static IActionResult Error(HttpContext http, string message, int status = StatusCodes.Status200OK)
    {
        http.Response.Htmx(h => h.Reswap("none"));
        return new ContentResult
        {
            StatusCode = status,
            Content = $"<div id=\"composer-error\" class=\"composer-error\" role=\"alert\" hx-swap-oob=\"true\">{System.Net.WebUtility.HtmlEncode(message)}</div>",
            ContentType = "text/html; charset=utf-8",
        };
    }

    // What a refused command says to the user, on any page: a conflict in the same words everywhere; otherwise the
    // refusal's text, looked up first under the page's own prefix when it has wording of its own
    // ("History.Refusal.X"), then the shared one ("Refusal.X").
    public static string RefusalText(CommandResult result, IStringLocalizer text, string? pagePrefix = null) =>
        result.Status == CommandStatus.Conflict ? text["Refusal.Conflict"]
        : pagePrefix is not null && text[$"{pagePrefix}Refusal.{result.Refusal}"] is { ResourceNotFound: false } own ? own
        : text[$"Refusal.{result.Refusal}"];
}
