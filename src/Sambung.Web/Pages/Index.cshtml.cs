using JasperFx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Sambung.Events.Conversations;
using Sambung.Web.Features.Accounts;
using Sambung.Web.Features.Chats;
using Sambung.Web.Features.Providers;
using Sambung.Web.Features.Streaming;
using Wolverine;

namespace Sambung.Web.Pages;

// "/": a new, empty chat. The first message starts the conversation (with the chosen model) and opens it.
public sealed class IndexModel(IMessageBus bus, CurrentUser user, ModelChoices models,
    IStringLocalizer<SharedResource> text, RequestLimits limits) : PageModel
{
    public ComposerModel Composer { get; private set; } = ComposerModel.ForNewChat();
    public ModelChoice Models { get; private set; } = null!;
    public bool ProviderMissing => !Models.HasConnections;

    // A chat just moved to Trash (from its page's Delete): offered back with Undo.
    public Sambung.Projections.Conversations.ChatListItem? Deleted { get; private set; }

    public async Task<IActionResult> OnGetAsync([FromQuery] Guid? deleted, [FromServices] Marten.IQuerySession session,
        [FromServices] ChatLists lists, CancellationToken ct)
    {
        // "?folder=" and "?tag=" filter the sidebar (on this page only); someone else's folder is not found.
        var filter = await lists.FilterAsync(HttpContext, ct);
        if (filter == ChatLists.Unknown) return NotFound();
        ViewData[ChatListViewComponent.FilterKey] = filter;
        Models = await models.ForAsync(user.Id, null, ct);
        if (deleted is { } id && await session.LoadAsync<Sambung.Projections.Conversations.ChatListItem>(id, ct) is { InTrash: true } item
            && item.OwnerId == user.Id)
            Deleted = item;
        return Page();
    }

    public async Task<IActionResult> OnPostStartAsync([FromForm] ComposerForm form, [FromForm] string? model,
        [FromServices] Marten.IQuerySession session, [FromServices] Sambung.Web.Features.Analytics.Budgets budgets, CancellationToken ct)
    {
        if (form.ConversationId is not { } id || form.MessageId == Guid.Empty || form.ReplyId == Guid.Empty)
            return BadRequest();
        if (limits.Message(HttpContext) is { } wait) return RateLimited.Response(HttpContext, wait);

        var chosen = ModelRefs.Parse(model) ?? await models.DefaultForAsync(user.Id, ct);
        var account = await session.LoadAsync<SambungUser>(user.Id, ct);
        var cmd = new StartConversation(id, user.Id, form.MessageId, form.Text ?? "", form.ReplyId, chosen, account?.DefaultSystemPrompt,
            Template: form.Template);
        CommandResult result;
        try
        {
            // Over the monthly budget: refused like any other refusal (nothing appended, the text stays).
            result = await budgets.RefusalAsync(user, ct) is { } overBudget ? new CommandResult(CommandStatus.Refused, Refusal: overBudget)
                : await bus.InvokeAsync<CommandResult>(new StartChat(cmd), ct);
        }
        catch (ConcurrencyException)
        {
            result = new(CommandStatus.NoChange); // the same form posted twice at once: the first one won
        }

        if (result.Succeeded) return Redirect($"/c/{id}");

        Models = await models.ForAsync(user.Id, chosen, ct);
        Composer = ComposerModel.ForNewChat(form.Text ?? "", text[$"Refusal.{result.Refusal}"]) with { Template = form.Template };
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return Page();
    }
}
