using Htmx;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Sambung.Events.Conversations;
using Sambung.Projections.Conversations;
using Sambung.Web.Features.Accounts;
using Sambung.Web.Features.Chats;
using Sambung.Web.Features.Providers;
using Sambung.Web.Features.Streaming;
using Wolverine;

namespace Sambung.Web.Pages;

// "/c/{id}": one conversation, its active path, and the controls that continue or branch it.
public sealed class ChatModel(IQuerySession session, IMessageBus bus, CurrentUser user, ReplyGenerator generator,
    IStringLocalizer<SharedResource> text, RequestLimits limits, ModelChoices models) : PageModel
{
    public ModelChoice Models { get; private set; } = null!;
    public ConversationTree Tree { get; private set; } = null!;
    public IReadOnlyList<PathNode> Messages { get; private set; } = [];
    public ComposerModel Composer { get; private set; } = null!;
    public Guid? Earlier { get; private set; }
    public ChatListItem? Item { get; private set; }
    public IReadOnlyList<Sambung.Projections.Library.FolderView> Folders { get; private set; } = [];
    public Sambung.Web.Features.History.SeveralColumnsModel? Several { get; private set; }

    // The chat's folder and tags, and the user's folders to move it to.
    private async Task OrganiseAsync(Guid id, ChatLists lists, CancellationToken ct)
    {
        Item = await session.LoadAsync<ChatListItem>(id, ct);
        Folders = (await lists.LibraryAsync(ct)).Folders;
    }

    // The newest messages; `before` (the link without htmx) shows the page above that message instead; `at` (a
    // search result) shows the branch through that message, down to where it leads, without selecting it: sending
    // from there continues that branch.
    // `several` (after "Ask several models" started a chat): that message's replies side by side, while no reply has
    // been continued from yet.
    public async Task<IActionResult> OnGetAsync(Guid id, [FromQuery] Guid? before, [FromQuery] Guid? at, [FromQuery] Guid? several,
        [FromServices] ConversationStreams streams, [FromServices] ChatLists lists, CancellationToken ct)
    {
        Guid? leaf = null;
        var size = ConversationQueries.PageSize;
        if (at is { } node && before is null && await streams.LoadOwnedAsync(session, id, user.Id, ct) is { } state
            && state.Has(node) && state.IsVisible(node))
        {
            leaf = state.LeafUnder(node);
            size = Math.Max(size, state.PathTo(leaf.Value).Count - state.PathTo(node).Count + 10);
        }
        if (await session.LoadPageAsync(id, user.Id, ct, before, size, leaf) is not { } page) return NotFound();
        Show(page, parent: leaf);
        if (several is { } asked && before is null && at is null) await SeveralAsync(asked, ct);
        await OrganiseAsync(id, lists, ct);
        Models = await models.ForAsync(user.Id, page.Tree.Model, ct);
        return Page();
    }

    // The replies under the message are drawn in columns in place of the active reply (the last one asked), when
    // the active path still ends at one of them.
    private async Task SeveralAsync(Guid messageId, CancellationToken ct)
    {
        if (Messages.Count < 2 || Messages[^2].Node is not { Kind: NodeKind.User } message || message.Id != messageId
            || Messages[^1].Node.ParentId != messageId)
            return;
        var replies = (await session.LoadManyAsync<TreeNode>(ct, message.Children))
            .Where(n => n.Kind == NodeKind.Assistant && n.ConversationId == Tree.Id && !n.Hidden)
            .OrderBy(n => message.Children.IndexOf(n.Id)).ToList();
        if (replies.Count < 2) return;
        Several = new(Tree.Id, replies);
        Messages = Messages.Take(Messages.Count - 1).ToList();
    }

    // "Load earlier messages": the page of the active path above the first message shown, put in place of the button.
    public async Task<IActionResult> OnGetEarlierAsync(Guid id, [FromQuery] Guid before, CancellationToken ct)
    {
        if (await session.LoadPageAsync(id, user.Id, ct, before) is not { } page) return NotFound();
        return Partial("_EarlierMessages", page);
    }

    // The chat's model (the "Model" combobox): later replies use it; earlier ones keep the model that answered.
    public async Task<IActionResult> OnPostModelAsync(Guid id, [FromForm] string? model, [FromForm] long? expectedVersion, CancellationToken ct)
    {
        if (ModelRefs.Parse(model) is not { } chosen) return BadRequest();
        var result = await RunAsync(new ChangeModel(id, chosen, user.Id), expectedVersion, ct);
        if (result.Status == CommandStatus.NotFound) return NotFound();
        if (!result.Succeeded) return await RefusedAsync(id, result, ct);
        if (!Request.IsHtmx()) return Redirect($"/c/{id}");
        return Content(ComposerVersion.OutOfBand(result.Version), "text/html");
    }

    // System prompt and parameters, from the chat settings panel.
    public async Task<IActionResult> OnPostSettingsAsync(Guid id, [FromForm] string? systemPrompt, [FromForm] string? temperature,
        [FromForm] string? maxTokens, [FromForm] string? topP, [FromForm] string[]? fallback, [FromForm] long? expectedVersion, CancellationToken ct)
    {
        // The fallback selects in order; "None" and repeats are skipped rather than refused.
        var chain = (fallback ?? []).Select(ModelRefs.Parse).OfType<ModelRef>().Distinct().ToList();
        var parameters = new GenerationParameters(Number(temperature), (int?)Number(maxTokens), Number(topP), chain.Count > 0 ? chain : null);
        var prompt = await RunAsync(new ChangeSystemPrompt(id, systemPrompt, user.Id), expectedVersion, ct);
        if (prompt.Status == CommandStatus.NotFound) return NotFound();
        var result = prompt.Succeeded ? await RunAsync(new ChangeGenerationParameters(id, parameters, user.Id), null, ct) : prompt;
        return await RespondAsync(id, result, ct);
    }

    private static double? Number(string? value) =>
        double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;

    // The form posted without JavaScript (htmx posts to SendEndpoint; a post with htmx here is answered the same way).
    public async Task<IActionResult> OnPostSendAsync(Guid id, [FromForm] ComposerForm form,
        [FromServices] Sambung.Web.Features.Analytics.Budgets budgets, CancellationToken ct)
    {
        var outcome = await SendEndpoint.SendAsync(id, form, HttpContext, user, bus, limits, budgets, ct);
        if (Request.IsHtmx()) return await SendEndpoint.AnswerAsync(id, form, outcome, HttpContext, session, text, ct);
        if (outcome.Early is { } early) return early;
        var result = outcome.Result!;
        if (result.Status == CommandStatus.NotFound) return NotFound();
        return result.Succeeded ? Redirect(AtMessage(id, form.ReplyId)) : await RefusedAsync(id, result, ct, form.Text ?? "");
    }

    public async Task<IActionResult> OnPostStopAsync(Guid id, [FromForm] Guid replyId, CancellationToken ct)
    {
        if (!generator.Stop(replyId, user.Id))
        {
            // Not running here any more: make sure it is not left waiting forever.
            var result = await RunAsync(new StopReply(id, replyId, "", user.Id), null, ct);
            if (result.Status == CommandStatus.NotFound) return NotFound();
        }
        return Request.IsHtmx() ? new NoContentResult() : Redirect(AtMessage(id, replyId));
    }

    // Editing makes a new version of the message beside the original, and asks for its reply.
    public async Task<IActionResult> OnPostEditAsync(Guid id, [FromForm] Guid editOf, [FromForm] Guid newMessageId,
        [FromForm] Guid replyId, [FromForm] string? text, [FromForm] long? expectedVersion,
        [FromServices] Sambung.Web.Features.Analytics.Budgets budgets, CancellationToken ct)
    {
        if (newMessageId == Guid.Empty || replyId == Guid.Empty) return BadRequest();
        if (limits.Message(HttpContext) is { } wait) return RateLimited.Response(HttpContext, wait);
        var result = await budgets.GuardAsync(user, () => RunAndGenerateAsync(new EditUserMessage(id, editOf, newMessageId, text ?? "", replyId, user.Id), expectedVersion, ct), ct);
        return await RespondAsync(id, result, ct, replyId);
    }

    public async Task<IActionResult> OnPostRegenerateAsync(Guid id, [FromForm] Guid replyOf, [FromForm] Guid newReplyId,
        [FromForm] long? expectedVersion, [FromServices] Sambung.Web.Features.Analytics.Budgets budgets, CancellationToken ct)
    {
        if (newReplyId == Guid.Empty) return BadRequest();
        if (limits.Message(HttpContext) is { } wait) return RateLimited.Response(HttpContext, wait);
        var result = await budgets.GuardAsync(user, () => RunAndGenerateAsync(new RegenerateReply(id, replyOf, newReplyId, user.Id), expectedVersion, ct), ct);
        return await RespondAsync(id, result, ct, newReplyId);
    }

    public async Task<IActionResult> OnPostRenameAsync(Guid id, [FromForm] string? title, CancellationToken ct) =>
        await RespondAsync(id, await RunAsync(new RenameConversation(id, title ?? "", user.Id), null, ct), ct);

    // "Move" to a folder ("none": out of any folder); someone else's folder is refused as not found.
    public async Task<IActionResult> OnPostMoveAsync(Guid id, [FromForm] string? folder, CancellationToken ct)
    {
        Guid? target = Guid.TryParse(folder, out var f) ? f : null;
        if (target is null && folder != "none") return BadRequest();
        var result = await RunAsync(new MoveConversationToFolder(id, target, user.Id), null, ct);
        if (result is { Status: CommandStatus.Refused, Refusal: Sambung.Events.Refusals.NotFound }) return NotFound();
        // The choice is already on screen: nothing to reload.
        if (Request.IsHtmx() && result.Succeeded) return NothingToSwap();
        return await RespondAsync(id, result, ct);
    }

    public async Task<IActionResult> OnPostTagAsync(Guid id, [FromForm] string? tag, CancellationToken ct) =>
        await RespondAsync(id, await RunAsync(new TagConversation(id, tag ?? "", user.Id), null, ct), ct);

    public async Task<IActionResult> OnPostUntagAsync(Guid id, [FromForm] string? tag, CancellationToken ct) =>
        await RespondAsync(id, await RunAsync(new UntagConversation(id, tag ?? "", user.Id), null, ct), ct);

    public async Task<IActionResult> OnPostPinAsync(Guid id, [FromForm] bool pinned, CancellationToken ct) =>
        await RespondAsync(id, await RunAsync(new PinConversation(id, pinned, user.Id), null, ct), ct);

    // To Trash; the home page then offers Undo.
    public async Task<IActionResult> OnPostDeleteAsync(Guid id, CancellationToken ct)
    {
        var result = await RunAsync(new DeleteConversation(id, user.Id), null, ct);
        if (result.Status == CommandStatus.NotFound) return NotFound();
        if (!result.Succeeded) return await RefusedAsync(id, result, ct);
        var home = $"/?deleted={id}";
        if (!Request.IsHtmx()) return Redirect(home);
        Response.Htmx(h => h.Redirect(home));
        return new NoContentResult();
    }

    // "Previous version" / "Next version": show the branch through that sibling, remembered as an event.
    public async Task<IActionResult> OnPostSelectAsync(Guid id, [FromForm] Guid nodeId, [FromForm] long? expectedVersion, CancellationToken ct) =>
        await RespondAsync(id, await RunAsync(new SelectBranch(id, nodeId, user.Id), expectedVersion, ct), ct);

    // Sends a command whose replies are generated, starting while it commits.
    private Task<CommandResult> RunAndGenerateAsync(IConversationCommand command, long? expectedVersion, CancellationToken ct) =>
        bus.RunAndGenerateAsync(command, expectedVersion, ct);

    private async Task<CommandResult> RunAsync(IConversationCommand command, long? expectedVersion, CancellationToken ct)
    {
        return command is PostUserMessage or EditUserMessage or RegenerateReply or SelectBranch or StopReply or ChangeModel
            or ChangeSystemPrompt or ChangeGenerationParameters or RenameConversation or PinConversation or DeleteConversation
            or MoveConversationToFolder or TagConversation or UntagConversation
            ? await bus.RunAsync(command, expectedVersion, ct)
            : throw new ArgumentException("Not a chat page command", nameof(command));
    }

    // Branching actions reload the page on success (htmx follows HX-Redirect); a refusal shows above the composer.
    // Without JavaScript the page opens at the reply the action asked for, not at the top of the chat.
    private async Task<IActionResult> RespondAsync(Guid id, CommandResult result, CancellationToken ct, Guid? reply = null)
    {
        if (result.Status == CommandStatus.NotFound) return NotFound();
        if (!result.Succeeded) return await RefusedAsync(id, result, ct);
        if (!Request.IsHtmx()) return Redirect(reply is { } asked ? AtMessage(id, asked) : $"/c/{id}");
        Response.Htmx(h => h.Redirect($"/c/{id}"));
        return new NoContentResult();
    }

    // A refusal says why above the composer: to htmx as that message alone; without JavaScript as the chat page again
    // (422), with what was typed in the composer kept.
    private async Task<IActionResult> RefusedAsync(Guid id, CommandResult result, CancellationToken ct, string typed = "")
    {
        if (Request.IsHtmx()) return ComposerAnswers.Error(HttpContext, RefusalText(result));
        if (await session.LoadPageAsync(id, user.Id, ct) is not { } page) return NotFound();
        Show(page, typed, RefusalText(result));
        Models = await models.ForAsync(user.Id, page.Tree.Model, ct);
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return Page();
    }

    // The chat page scrolled to one message (a fragment: htmx's HX-Redirect to the same page would only scroll, so
    // this is for whole-page redirects).
    private static string AtMessage(Guid id, Guid messageId) => $"/c/{id}#m-{messageId}";

    private IActionResult NothingToSwap() => ComposerAnswers.NothingToSwap(HttpContext);

    private void Show(ConversationPage page, string text = "", string? error = null, Guid? parent = null)
    {
        Tree = page.Tree;
        Messages = page.ActivePath;
        Earlier = page.Earlier;
        Composer = new ComposerModel(Tree.Id, parent ?? Tree.ActiveLeafId, Tree.Version, text, error);
        ViewData["ConversationId"] = Tree.Id;
    }

    private string RefusalText(CommandResult result) => ComposerAnswers.RefusalText(result, text);
}
