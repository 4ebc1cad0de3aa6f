using Htmx;
using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Sambung.Events.Conversations;
using Sambung.Projections.Conversations;
using Sambung.Web.Features.Accounts;
using Sambung.Web.Features.Chats;
using Sambung.Web.Features.History;
using Wolverine;

namespace Sambung.Web.Pages;

// "/c/{id}/history": every event of the conversation, and the conversation exactly as it was after any of them
// (?version=N, a plain GET, so stepping works without JavaScript). The stream is read once and folded in memory
// up to the step shown, like Marten's AggregateStreamAsync(version) but with one query for the list and the state.
public sealed class HistoryModel(IQuerySession session, IMessageBus bus, CurrentUser user, IStringLocalizer<SharedResource> text) : PageModel
{
    // How many events the list shows around the step shown; the stepper reaches every one.
    public const int Window = 100;

    // The newest messages of the step's path shown (rendering every message of a long conversation at every step
    // would cost more than reading it); restoring the step brings all of them back in the chat.
    public const int MessagesShown = 50;

    public int EarlierMessages { get; private set; }

    public ConversationTree Tree { get; private set; } = null!;
    public long Version { get; private set; }
    public long Last { get; private set; }
    public Conversation Past { get; private set; } = null!;
    public IReadOnlyList<ConversationNode> Path { get; private set; } = [];
    public IReadOnlyList<IEvent> Shown { get; private set; } = [];
    public TimeZoneInfo Zone { get; private set; } = TimeZoneInfo.Utc;
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid id, [FromQuery] long? version, CancellationToken ct) =>
        await ShowAsync(id, version, ct) ? Page() : NotFound();

    public async Task<IActionResult> OnPostRestoreAsync(Guid id, [FromForm] long version, CancellationToken ct)
    {
        var result = await bus.RunHistoryAsync(new RestoreVersion(id, version, user.Id), null, ct);
        if (result.Status == CommandStatus.NotFound) return NotFound();
        if (result.Succeeded)
        {
            if (!Request.IsHtmx()) return Redirect($"/c/{id}");
            Response.Htmx(h => h.Redirect($"/c/{id}"));
            return new NoContentResult();
        }
        if (!await ShowAsync(id, version, ct)) return NotFound();
        Error = ComposerAnswers.RefusalText(result, text, pagePrefix: "History.");
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return Page();
    }

    private async Task<bool> ShowAsync(Guid id, long? version, CancellationToken ct)
    {
        // Owner-scoped; a purged conversation has no tree any more (and its stream's texts are masked).
        if (await session.FindTreeAsync(id, user.Id, ct) is not { Lifecycle: not ConversationLifecycle.Purged } tree) return false;
        // Only the events up to the end of the list shown are read (an early step of a long conversation reads a
        // hundred or so, not all of them).
        if (await session.Events.FetchStreamStateAsync(id, ct) is not { Version: > 0 } stream) return false;
        Last = stream.Version;
        Version = Math.Clamp(version ?? Last, 1, Last);
        var from = Math.Clamp(Version - Window / 2, 1, Math.Max(1, Last - Window + 1));
        var events = await session.Events.FetchStreamAsync(id, version: Math.Min(Last, from + Window - 1), token: ct);
        if (events.Count < Version || events.Any(e => e.Data is ConversationPurged)) return false;

        Tree = tree;
        Past = Conversation.Fold(events.Take((int)Version).Select(e => e.Data))!;
        var path = Past.ActivePath;
        Path = path.Count > MessagesShown ? path.Skip(path.Count - MessagesShown).ToList() : path;
        EarlierMessages = path.Count - Path.Count;
        Shown = events.Skip((int)from - 1).Take(Window).ToList();
        Zone = ChatLists.ZoneOf(HttpContext);
        ViewData["ConversationId"] = id;
        return true;
    }

    public string Describe(IEvent e) => HistoryDescriptions.Describe(e.Data, text);

    public string Actor(IEvent e) => HistoryDescriptions.Actor(e.Data, text);

    public string When(IEvent e) => HistoryDescriptions.When(e.Timestamp, Zone);
}
