using Htmx;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.Extensions.Localization;
using Sambung.Events.Conversations;
using Sambung.Projections.Conversations;
using Sambung.Web.Features.Accounts;
using Sambung.Web.Features.Analytics;
using Wolverine;

namespace Sambung.Web.Features.Chats;

// The composer's send, as htmx posts it: the message is appended, its reply starts, and the answer is the exchange
// to add below the messages (with a fresh composer, out of band) or the refusal above the composer.
//   An endpoint of its own rather than a page handler, because the time it takes to reach the provider is time the
// user waits for the first word: no page model, no page filters, no model validation before the reply starts. The
// page handler (`/c/{id}?handler=Send`) stays for the form posted without JavaScript and shares everything here.
public static class SendEndpoint
{
    public static string UrlFor(Guid conversationId) => $"/c/{conversationId}/send";

    // The page handler the same form posts to without JavaScript.
    public static string PageUrlFor(Guid conversationId) => $"/c/{conversationId}?handler=Send";

    public static void MapSend(this IEndpointRouteBuilder app) =>
        app.MapPost("/c/{id:guid}/send", async ([FromRoute] Guid id, IFormCollection posted, HttpContext http, CurrentUser user,
            IMessageBus bus, RequestLimits limits, Budgets budgets, IQuerySession session, IStringLocalizer<SharedResource> text, CancellationToken ct) =>
        {
            // Only htmx posts here; anything else goes on, method and form kept, to the page handler, which answers
            // with whole pages.
            if (!http.Request.IsHtmx()) return Results.Redirect(PageUrlFor(id), permanent: false, preserveMethod: true);
            if (ComposerForm.Read(posted) is not { } form) return Results.BadRequest();
            var result = await SendAsync(id, form, http, user, bus, limits, budgets, ct);
            return new ActionResultAsResult(await AnswerAsync(id, form, result, http, session, text, ct));
        });

    // What a send decided: a result, or a refusal made before any command (bad ids, too many messages).
    public sealed record Outcome(CommandResult? Result, IActionResult? Early);

    public static async Task<Outcome> SendAsync(Guid id, ComposerForm form, HttpContext http, CurrentUser user, IMessageBus bus,
        RequestLimits limits, Budgets budgets, CancellationToken ct)
    {
        if (form.MessageId == Guid.Empty || form.ReplyId == Guid.Empty) return new(null, new BadRequestResult());
        if (limits.Message(http) is { } wait) return new(null, RateLimited.Response(http, wait));
        // Over the monthly budget: refused like any other refusal (nothing appended, the text stays in the composer).
        var result = await budgets.GuardAsync(user, () => bus.RunAndGenerateAsync(
            new PostUserMessage(id, form.MessageId, form.ParentId, form.Text ?? "", form.ReplyId, user.Id, form.Template), form.ExpectedVersion, ct), ct);
        return new(result, null);
    }

    // The answer htmx swaps in.
    public static async Task<IActionResult> AnswerAsync(Guid id, ComposerForm form, Outcome outcome, HttpContext http, IQuerySession session,
        IStringLocalizer text, CancellationToken ct)
    {
        if (outcome.Early is { } early) return early;
        var result = outcome.Result!;
        if (result.Status == CommandStatus.NotFound) return new NotFoundResult();
        if (result.Status == CommandStatus.NoChange) return ComposerAnswers.NothingToSwap(http);
        if (!result.Succeeded) return ComposerAnswers.Error(http, ComposerAnswers.RefusalText(result, text));

        var exchange = await session.LoadManyAsync<TreeNode>(ct, form.MessageId, form.ReplyId);
        return new PartialViewResult
        {
            ViewName = "/Pages/Shared/_Exchange.cshtml",
            ViewData = new ViewDataDictionary<ExchangeModel>(http.RequestServices.GetRequiredService<IModelMetadataProvider>(), new())
            {
                Model = new ExchangeModel(
                    exchange.OrderBy(n => n.Kind == NodeKind.User ? 0 : 1).Select(n => new PathNode(n, 1, 1, null, null)).ToList(),
                    new ComposerModel(id, form.ReplyId, result.Version, OutOfBand: true)),
            },
        };
    }

    // An MVC result (a partial view, content) answered from an endpoint outside MVC.
    private sealed class ActionResultAsResult(IActionResult result) : IResult
    {
        public Task ExecuteAsync(HttpContext http) =>
            result.ExecuteResultAsync(new ActionContext(http, http.GetRouteData(), new ActionDescriptor()));
    }
}

// What a send answers with: the message and its reply, then a fresh composer (out of band).
public sealed record ExchangeModel(IReadOnlyList<PathNode> Messages, ComposerModel Composer);
