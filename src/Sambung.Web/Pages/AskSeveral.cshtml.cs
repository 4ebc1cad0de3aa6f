using Htmx;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Sambung.Events.Conversations;
using Sambung.Projections.Conversations;
using Sambung.Web.Features.Accounts;
using Sambung.Web.Features.Chats;
using Sambung.Web.Features.History;
using Sambung.Web.Features.Providers;
using Sambung.Web.Features.Streaming;
using Wolverine;

namespace Sambung.Web.Pages;

// "Ask several models": the composer's message goes to up to four models at once; their replies are siblings under
// it, each generated and streamed on its own, and the person continues with the one they pick.
public sealed class AskSeveralModel(IQuerySession session, IMessageBus bus, CurrentUser user, ModelChoices models,
    RequestLimits limits, IStringLocalizer<SharedResource> localizer) : PageModel
{
    public AskSeveralView View { get; private set; } = null!;

    // From the composer's "Ask several models" button: the form to choose the models, with the message typed so far.
    public async Task<IActionResult> OnPostAsync(Guid id, [FromForm] ComposerForm form, CancellationToken ct)
    {
        if (await session.FindTreeAsync(id, user.Id, ct) is not { Lifecycle: not ConversationLifecycle.Purged } tree) return NotFound();
        var choice = await models.ForAsync(user.Id, tree.Model, ct);
        return Show(new AskSeveralView(id, form.ParentId, form.ExpectedVersion, form.Text ?? "", choice, [ModelRefs.Format(choice.Selected)], Request.IsHtmx()));
    }

    public async Task<IActionResult> OnPostSendAsync(Guid id, [FromForm] string? text, [FromForm] Guid? parentId, [FromForm] long? expectedVersion,
        [FromForm] Guid messageId, [FromForm] Guid[]? replyIds, [FromForm] string[]? model,
        [FromServices] Sambung.Web.Features.Analytics.Budgets budgets, CancellationToken ct)
    {
        var ids = replyIds ?? [];
        if (messageId == Guid.Empty || ids.Length != HistoryDecisions.MaxModels || ids.Contains(Guid.Empty)) return BadRequest();
        if (limits.Message(HttpContext) is { } wait) return RateLimited.Response(HttpContext, wait);
        var chosen = (model ?? []).Select(ModelRefs.Parse).OfType<ModelRef>().ToList();
        // More models than ids: the decision refuses them all (TooManyModels), so the extra ids are never stored.
        var requests = chosen.Select((m, i) => new ModelRequest(m, i < ids.Length ? ids[i] : Guid.CreateVersion7())).ToList();

        var result = await budgets.GuardAsync(user, () => bus.RunHistoryAsync(new AskSeveralModels(id, messageId, parentId, text ?? "", requests, user.Id), expectedVersion, ct, generate: true), ct);
        if (result.Status == CommandStatus.NotFound) return NotFound();

        if (!result.Succeeded)
        {
            if (await session.FindTreeAsync(id, user.Id, ct) is not { } tree) return NotFound();
            var error = ComposerAnswers.RefusalText(result, localizer, pagePrefix: "History.");
            var view = new AskSeveralView(id, parentId, expectedVersion, text ?? "", await models.ForAsync(user.Id, tree.Model, ct),
                [.. (model ?? [])], Request.IsHtmx(), error) { MessageId = messageId, ReplyIds = ids };
            // htmx swaps only successful responses: the form with its message comes back as 200 to it.
            if (!view.Panel) Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Show(view);
        }
        if (!Request.IsHtmx()) return Redirect($"/c/{id}");
        if (result.Status == CommandStatus.NoChange)
        {
            Response.Htmx(h => h.Reswap("none"));
            return new EmptyResult();
        }

        var nodes = await session.LoadManyAsync<TreeNode>(ct, [messageId, .. requests.Select(r => r.ReplyId)]);
        var byId = nodes.ToDictionary(n => n.Id);
        return Partial("_SeveralReplies", new SeveralRepliesModel(byId[messageId], [.. requests.Select(r => byId[r.ReplyId])],
            new ComposerModel(id, requests[^1].ReplyId, result.Version, OutOfBand: true)));
    }

    private IActionResult Show(AskSeveralView view)
    {
        View = view;
        ViewData["ConversationId"] = view.ConversationId;
        return view.Panel ? Partial("_AskSeveral", view) : Page();
    }
}
