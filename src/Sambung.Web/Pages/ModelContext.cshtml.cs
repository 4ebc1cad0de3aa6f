using Htmx;
using Marten;
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

// "What the model saw" for one reply: a panel loaded by htmx under the reply, or this page without JavaScript.
// "Run again" asks for a sibling reply of that reply, with the same model or another (RegenerateReply).
public sealed class ModelContextModel(IQuerySession session, IMessageBus bus, CurrentUser user, ModelChoices models,
    RequestLimits limits, IStringLocalizer<SharedResource> text) : PageModel
{
    public ModelContextView View { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(Guid id, Guid replyId, CancellationToken ct)
    {
        if (await ModelContextView.LoadAsync(session, models, id, replyId, user.Id, Request.IsHtmx(), ct) is not { } view) return NotFound();
        View = view;
        ViewData["ConversationId"] = id;
        return view.Panel ? Partial("_ModelContext", view) : Page();
    }

    public async Task<IActionResult> OnPostRunAgainAsync(Guid id, Guid replyId, [FromForm] string? model, [FromForm] Guid newReplyId,
        [FromForm] long? expectedVersion, [FromServices] Sambung.Web.Features.Analytics.Budgets budgets, CancellationToken ct)
    {
        if (newReplyId == Guid.Empty || ModelRefs.Parse(model) is not { } chosen) return BadRequest();
        if (limits.Message(HttpContext) is { } wait) return RateLimited.Response(HttpContext, wait);
        if (await ModelContextView.LoadAsync(session, models, id, replyId, user.Id, Request.IsHtmx(), ct) is not { } view) return NotFound();

        var result = await budgets.GuardAsync(user, () => bus.RunAndGenerateAsync(new RegenerateReply(id, replyId, newReplyId, user.Id, chosen), expectedVersion, ct), ct);
        if (result.Status == CommandStatus.NotFound) return NotFound();
        if (result.Succeeded)
        {
            if (!Request.IsHtmx()) return Redirect($"/c/{id}");
            Response.Htmx(h => h.Redirect($"/c/{id}"));
            return new NoContentResult();
        }
        View = view with { Error = ComposerAnswers.RefusalText(result, text) };
        ViewData["ConversationId"] = id;
        // htmx swaps only successful responses: the panel with its message comes back as 200 to it.
        if (!View.Panel) Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return View.Panel ? Partial("_ModelContext", View) : Page();
    }
}
