using Htmx;
using JasperFx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Sambung.Events.Conversations;
using Sambung.Web.Features.Accounts;
using Sambung.Web.Features.Chats;
using Sambung.Web.Features.History;
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

    // "Ask several models" drawn in the page (without JavaScript; htmx puts it in the panel instead).
    public AskSeveralView? Several { get; private set; }

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
            result = await budgets.GuardAsync(user, () => bus.InvokeAsync<CommandResult>(new StartChat(cmd), ct), ct);
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

    // The composer's "Ask several models": the models to choose, with the message typed so far. The form carries the
    // ids the new chat, its message and its replies will have, so sending it twice starts one chat.
    public async Task<IActionResult> OnPostSeveralAsync([FromForm] ComposerForm form, [FromForm] string? model, CancellationToken ct)
    {
        var choice = await models.ForAsync(user.Id, ModelRefs.Parse(model), ct);
        var view = new AskSeveralView(Guid.CreateVersion7(), null, null, form.Text ?? "", choice, [ModelRefs.Format(choice.Selected)], Request.IsHtmx())
            { NewChat = true };
        return ShowSeveral(view, choice);
    }

    // Starts the chat with the message and a reply from each chosen model, then opens it with the replies in columns.
    public async Task<IActionResult> OnPostSendSeveralAsync([FromForm] Guid conversationId, [FromForm(Name = "Text")] string? message, [FromForm] Guid messageId,
        [FromForm] Guid[]? replyIds, [FromForm] string[]? model, [FromServices] Marten.IQuerySession session,
        [FromServices] Sambung.Web.Features.Analytics.Budgets budgets, CancellationToken ct)
    {
        var ids = replyIds ?? [];
        if (conversationId == Guid.Empty || messageId == Guid.Empty || ids.Length != HistoryDecisions.MaxModels || ids.Contains(Guid.Empty))
            return BadRequest();
        if (limits.Message(HttpContext) is { } wait) return RateLimited.Response(HttpContext, wait);
        var chosen = (model ?? []).Select(ModelRefs.Parse).OfType<ModelRef>().ToList();
        // More models than ids: the decision refuses them all (TooManyModels), so the extra ids are never stored.
        var requests = chosen.Select((m, i) => new ModelRequest(m, i < ids.Length ? ids[i] : Guid.CreateVersion7())).ToList();
        var account = await session.LoadAsync<SambungUser>(user.Id, ct);
        CommandResult result;
        try
        {
            result = await budgets.GuardAsync(user, () => bus.InvokeAsync<CommandResult>(new StartChatWithSeveralModels(
                    new StartWithSeveralModels(conversationId, user.Id, messageId, message ?? "", requests, account?.DefaultSystemPrompt)), ct), ct);
        }
        catch (ConcurrencyException)
        {
            result = new(CommandStatus.NoChange); // the same form posted twice at once: the first one won
        }

        if (result.Succeeded)
        {
            var chat = $"/c/{conversationId}?several={messageId}";
            if (!Request.IsHtmx()) return Redirect(chat);
            Response.Htmx(h => h.Redirect(chat));
            return new NoContentResult();
        }
        var error = text[$"History.Refusal.{result.Refusal}"] is { ResourceNotFound: false } own ? own : text[$"Refusal.{result.Refusal}"];
        var choice = await models.ForAsync(user.Id, chosen.FirstOrDefault(), ct);
        var view = new AskSeveralView(conversationId, null, null, message ?? "", choice, [.. model ?? []], Request.IsHtmx(), error)
            { NewChat = true, MessageId = messageId, ReplyIds = ids };
        // htmx swaps only successful responses: the form with its message comes back as 200 to it.
        if (!view.Panel) Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return ShowSeveral(view, choice);
    }

    private IActionResult ShowSeveral(AskSeveralView view, ModelChoice choice)
    {
        if (view.Panel) return Partial("_AskSeveral", view);
        Several = view;
        Models = choice;
        Composer = ComposerModel.ForNewChat(view.Text);
        return Page();
    }
}
