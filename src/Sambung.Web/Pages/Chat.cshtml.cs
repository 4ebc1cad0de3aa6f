using Htmx;
using JasperFx;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Sambung.Events.Conversations;
using Sambung.Projections.Conversations;
using Sambung.Web.Features.Accounts;
using Sambung.Web.Features.Chats;
using Sambung.Web.Features.Streaming;
using Wolverine;

namespace Sambung.Web.Pages;

// "/c/{id}": one conversation, its active path, and the composer that continues it.
public sealed class ChatModel(IQuerySession session, IMessageBus bus, CurrentUser user, ReplyGenerator generator,
    IStringLocalizer<SharedResource> text) : PageModel
{
    public ConversationTree Tree { get; private set; } = null!;
    public IReadOnlyList<TreeNode> Messages { get; private set; } = [];
    public ComposerModel Composer { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        if (await session.LoadPageAsync(id, user.Id, ct) is not { } page) return NotFound();
        Show(page);
        return Page();
    }

    public async Task<IActionResult> OnPostSendAsync(Guid id, [FromForm] ComposerForm form, CancellationToken ct)
    {
        if (form.MessageId == Guid.Empty || form.ReplyId == Guid.Empty) return BadRequest();

        var cmd = new PostUserMessage(id, form.MessageId, form.ParentId, form.Text ?? "", form.ReplyId, user.Id);
        CommandResult result;
        try
        {
            result = await bus.InvokeAsync<CommandResult>(new SendMessage(cmd, form.ExpectedVersion), ct);
        }
        catch (ConcurrencyException)
        {
            result = new(CommandStatus.Conflict);
        }

        if (result.Status == CommandStatus.NotFound) return NotFound();
        if (result.Status == CommandStatus.Applied) generator.Start(id, form.ReplyId, user.Id);

        if (!Request.IsHtmx())
        {
            if (result.Succeeded) return Redirect($"/c/{id}");
            if (await session.LoadPageAsync(id, user.Id, ct) is not { } page) return NotFound();
            Show(page, form.Text ?? "", RefusalText(result));
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }

        if (result.Status == CommandStatus.NoChange)
        {
            Response.Htmx(h => h.Reswap("none"));
            return new EmptyResult();
        }
        if (!result.Succeeded)
        {
            // Keep what the user typed; only the message above the composer changes.
            Response.Htmx(h => h.Reswap("none"));
            return Content($"<div id=\"composer-error\" class=\"composer-error\" role=\"alert\" hx-swap-oob=\"true\">{System.Net.WebUtility.HtmlEncode(RefusalText(result))}</div>", "text/html");
        }

        var exchange = await session.LoadManyAsync<TreeNode>(ct, form.MessageId, form.ReplyId);
        return Partial("_Exchange", new ExchangeModel(
            exchange.OrderBy(n => n.CreatedAt).ThenBy(n => n.Kind).ToList(),
            new ComposerModel(id, form.ReplyId, result.Version, OutOfBand: true)));
    }

    public async Task<IActionResult> OnPostStopAsync(Guid id, [FromForm] Guid replyId, CancellationToken ct)
    {
        if (!generator.Stop(replyId, user.Id))
        {
            // Not running here any more: make sure it is not left waiting forever.
            var result = await bus.InvokeAsync<CommandResult>(new StopReply(id, replyId, "", user.Id), ct);
            if (result.Status == CommandStatus.NotFound) return NotFound();
        }
        return Request.IsHtmx() ? new NoContentResult() : Redirect($"/c/{id}");
    }

    private void Show(ConversationPage page, string text = "", string? error = null)
    {
        Tree = page.Tree;
        Messages = page.ActivePath;
        Composer = new ComposerModel(Tree.Id, Tree.ActiveLeafId, Tree.Version, text, error);
        ViewData["ConversationId"] = Tree.Id;
    }

    private string RefusalText(CommandResult result) => result.Status == CommandStatus.Conflict
        ? text["Refusal.Conflict"]
        : text[$"Refusal.{result.Refusal}"];
}

public sealed record ExchangeModel(IReadOnlyList<TreeNode> Messages, ComposerModel Composer);
