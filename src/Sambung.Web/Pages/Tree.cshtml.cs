using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Sambung.Events.Conversations;
using Sambung.Projections.Conversations;
using Sambung.Web.Features.Accounts;
using Sambung.Web.Features.Branching;
using Sambung.Web.Features.Chats;
using Wolverine;

namespace Sambung.Web.Pages;

// "/c/{id}/tree": the whole conversation tree, and what can be done to one node of it: make its branch the active
// path, label, star, hide or restore it, fork the path to it into a new chat, merge its branch into the active
// one, or compare the two. One form, one radio group; each button posts the chosen node to its own handler.
public sealed class TreeModel(Npgsql.NpgsqlDataSource db, IQuerySession session, IMessageBus bus, CurrentUser user, ConversationStreams streams,
    IStringLocalizer<SharedResource> text) : PageModel
{
    public ConversationTree Tree { get; private set; } = null!;
    public TreeView View { get; private set; } = null!;
    public Guid Chosen { get; private set; }
    public bool ShowHidden { get; private set; }
    public string? Error { get; private set; }
    public MergeChoice Merge { get; private set; } = new("tree-merge");

    public async Task<IActionResult> OnGetAsync(Guid id, [FromQuery] Guid? node, [FromQuery] bool hidden, CancellationToken ct) =>
        await ShowAsync(id, node, hidden, null, ct) ? Page() : NotFound();

    // Clicking a node's "Make active" is what the chat's version arrows do: the chat opens on that branch.
    public Task<IActionResult> OnPostSelectAsync(Guid id, [FromForm] Guid node, [FromForm] bool hidden, [FromForm] long? expectedVersion, CancellationToken ct) =>
        ActAsync(id, node, hidden, new SelectBranch(id, node, user.Id), expectedVersion, $"/c/{id}", ct);

    public Task<IActionResult> OnPostLabelAsync(Guid id, [FromForm] Guid node, [FromForm] string? label, [FromForm] bool hidden, [FromForm] long? expectedVersion,
        CancellationToken ct) =>
        ActAsync(id, node, hidden, new LabelBranch(id, node, label ?? "", user.Id), expectedVersion, null, ct);

    public Task<IActionResult> OnPostStarAsync(Guid id, [FromForm] Guid node, [FromForm] bool hidden, [FromForm] long? expectedVersion, CancellationToken ct) =>
        ActAsync(id, node, hidden, new StarBranch(id, node, true, user.Id), expectedVersion, null, ct);

    public Task<IActionResult> OnPostUnstarAsync(Guid id, [FromForm] Guid node, [FromForm] bool hidden, [FromForm] long? expectedVersion, CancellationToken ct) =>
        ActAsync(id, node, hidden, new StarBranch(id, node, false, user.Id), expectedVersion, null, ct);

    public Task<IActionResult> OnPostHideAsync(Guid id, [FromForm] Guid node, [FromForm] bool hidden, [FromForm] long? expectedVersion, CancellationToken ct) =>
        ActAsync(id, node, hidden, new HideBranch(id, node, user.Id), expectedVersion, null, ct);

    public Task<IActionResult> OnPostRestoreAsync(Guid id, [FromForm] Guid node, [FromForm] long? expectedVersion, CancellationToken ct) =>
        ActAsync(id, node, true, new RestoreBranch(id, node, user.Id), expectedVersion, null, ct);

    // The branch through the chosen node (down to the leaf it leads to) is carried into the active branch: its turns
    // copied, or the summary the person wrote. A refusal keeps the choice and the summary typed.
    public async Task<IActionResult> OnPostMergeAsync(Guid id, [FromForm] Guid node, [FromForm] Guid mergeId, [FromForm] bool hidden,
        [FromForm] string? strategy, [FromForm] string? summary, [FromForm] long? expectedVersion, CancellationToken ct)
    {
        if (mergeId == Guid.Empty) return BadRequest();
        if (await streams.LoadOwnedAsync(session, id, user.Id, ct) is not { } state) return NotFound();
        var source = state.Has(node) && node != state.Id ? state.LeafUnder(node) : node;
        Merge = MergeChoice.From(Merge.Prefix, strategy, summary);
        var result = await bus.RunAsync(Merge.Command(id, state.ActiveLeafId, source, mergeId, user.Id), expectedVersion, ct);
        if (result.Status == CommandStatus.NotFound) return NotFound();
        if (result.Succeeded) return Redirect($"/c/{id}");
        if (!Merge.MissingSummary(result)) return await RefusedAsync(id, node, hidden, result, ct);
        Merge = Merge with { Error = text["MergeChoice.Refusal.EmptySummary"] };
        if (!await ShowAsync(id, node, hidden, null, ct)) return NotFound();
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return Page();
    }

    public async Task<IActionResult> OnPostForkAsync(Guid id, [FromForm] Guid node, [FromForm] Guid forkId, [FromForm] bool hidden, CancellationToken ct)
    {
        if (forkId == Guid.Empty) return BadRequest();
        var result = await bus.InvokeAsync<CommandResult>(new ForkConversation(forkId, id, node, user.Id), ct);
        if (result.Status == CommandStatus.NotFound) return NotFound();
        if (result.Succeeded) return Redirect($"/c/{forkId}");
        return await RefusedAsync(id, node, hidden, result, ct);
    }

    // "Compare with the active branch": the active path beside the branch through the chosen node.
    public async Task<IActionResult> OnPostCompareAsync(Guid id, [FromForm] Guid node, CancellationToken ct)
    {
        if (await streams.LoadOwnedAsync(session, id, user.Id, ct) is not { } state) return NotFound();
        if (!state.Has(node) || node == state.Id) return Redirect($"/c/{id}/compare");
        return Redirect($"/c/{id}/compare?a={state.ActiveLeafId}&b={state.LeafUnder(node)}");
    }

    private async Task<IActionResult> ActAsync(Guid id, Guid node, bool hidden, IConversationCommand command, long? expectedVersion, string? then,
        CancellationToken ct)
    {
        var result = await bus.RunAsync(command, expectedVersion, ct);
        if (result.Status == CommandStatus.NotFound) return NotFound();
        if (!result.Succeeded) return await RefusedAsync(id, node, hidden, result, ct);
        return Redirect(then ?? $"/c/{id}/tree?node={node}{(hidden ? "&hidden=true" : "")}");
    }

    private async Task<IActionResult> RefusedAsync(Guid id, Guid node, bool hidden, CommandResult result, CancellationToken ct)
    {
        var message = ComposerAnswers.RefusalText(result, text);
        if (!await ShowAsync(id, node, hidden, message, ct)) return NotFound();
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return Page();
    }

    private async Task<bool> ShowAsync(Guid id, Guid? node, bool hidden, string? error, CancellationToken ct)
    {
        if (await session.FindTreeAsync(id, user.Id, ct) is not { } tree) return false;
        Tree = tree;
        ShowHidden = hidden;
        View = new TreeView(await db.OutlineAsync(id, ct), id, tree.ActiveLeafId, hidden, text);
        Chosen = node is { } n && View.Has(n) ? n : tree.ActiveLeafId;
        Error = error;
        ViewData["ConversationId"] = id;
        return true;
    }
}
