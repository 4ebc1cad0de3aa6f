using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Sambung.Events.Conversations;
using Sambung.Projections.Conversations;
using Sambung.Web.Features.Accounts;
using Sambung.Web.Features.Analytics;
using Sambung.Web.Features.Branching;
using Sambung.Web.Features.Chats;
using Sambung.Web.Features.Providers;
using Wolverine;

namespace Sambung.Web.Pages;

// "/c/{id}/compare?a=…&b=…": two branches (or two sibling replies) of one conversation side by side, turn by turn,
// with a word diff; without both ends, a picker of the conversation's branches. "Continue with this one" makes a
// side the active path; a merge carries one side into the other.
public sealed class CompareModel(Npgsql.NpgsqlDataSource db, IQuerySession session, IMessageBus bus, CurrentUser user, ModelCatalogue catalogue,
    IStringLocalizer<SharedResource> text) : PageModel
{
    public ConversationTree Tree { get; private set; } = null!;
    public Comparison? Result { get; private set; }
    public IReadOnlyList<OutlineNode> Leaves { get; private set; } = [];
    public TreeView? Outline { get; private set; }
    public Guid? First { get; private set; }
    public Guid? Second { get; private set; }
    public string? Error { get; private set; }
    // The merge form that was refused (its side's end) and what it chose, kept for the page drawn again.
    public Guid? MergeTarget { get; private set; }
    public MergeChoice? Merge { get; private set; }
    public Func<string, ModelPrice?> PriceOf { get; private set; } = _ => null;

    // `pick`: the picker again, with the two ends chosen.
    public async Task<IActionResult> OnGetAsync(Guid id, [FromQuery] Guid? a, [FromQuery] Guid? b, [FromQuery] bool pick, CancellationToken ct) =>
        await ShowAsync(id, a, b, null, ct, pick) ? Page() : NotFound();

    public async Task<IActionResult> OnPostContinueAsync(Guid id, [FromForm] Guid node, [FromForm] Guid? a, [FromForm] Guid? b,
        [FromForm] long? expectedVersion, CancellationToken ct)
    {
        var result = await bus.RunAsync(new SelectBranch(id, node, user.Id), expectedVersion, ct);
        return await RespondAsync(id, a, b, result, ct);
    }

    // Carries the other side's turns into this side, as a merge node under this side's end.
    // Its turns copied, or the summary the person wrote; a refusal keeps the choice and the summary typed.
    public async Task<IActionResult> OnPostMergeAsync(Guid id, [FromForm] Guid target, [FromForm] Guid source, [FromForm] Guid mergeId,
        [FromForm] string? strategy, [FromForm] string? summary, [FromForm] Guid? a, [FromForm] Guid? b, [FromForm] long? expectedVersion,
        CancellationToken ct)
    {
        if (mergeId == Guid.Empty) return BadRequest();
        var choice = MergeChoice.From(MergePrefix(target), strategy, summary);
        var result = await bus.RunAsync(choice.Command(id, target, source, mergeId, user.Id), expectedVersion, ct);
        (MergeTarget, Merge) = (target, choice);
        if (!choice.MissingSummary(result)) return await RespondAsync(id, a, b, result, ct);
        Merge = choice with { Error = text["MergeChoice.Refusal.EmptySummary"] };
        if (!await ShowAsync(id, a, b, null, ct)) return NotFound();
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return Page();
    }

    // The merge form under each side: its fields' ids, and what it shows (what was refused, or the defaults).
    public static string MergePrefix(Guid target) => $"merge-{target:N}";

    public MergeChoice MergeFor(Guid target) => MergeTarget == target && Merge is { } kept ? kept : new(MergePrefix(target));

    private async Task<IActionResult> RespondAsync(Guid id, Guid? a, Guid? b, CommandResult result, CancellationToken ct)
    {
        if (result.Status == CommandStatus.NotFound) return NotFound();
        if (result.Succeeded) return Redirect($"/c/{id}");
        var message = ComposerAnswers.RefusalText(result, text);
        if (!await ShowAsync(id, a, b, message, ct)) return NotFound();
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return Page();
    }

    private async Task<bool> ShowAsync(Guid id, Guid? a, Guid? b, string? error, CancellationToken ct, bool pick = false)
    {
        if (await session.FindTreeAsync(id, user.Id, ct) is not { } tree) return false;
        Tree = tree;
        Error = error;
        ViewData["ConversationId"] = id;
        var outline = await db.OutlineAsync(id, ct);
        var known = outline.Where(n => n.Id != id).Select(n => n.Id).ToHashSet();
        if (!pick && a is { } first && b is { } second && first != second && known.Contains(first) && known.Contains(second))
        {
            var prices = (await catalogue.EntriesAsync(ct))
                .Where(e => e.Info.InputPrice is not null || e.Info.OutputPrice is not null)
                .ToDictionary(e => e.Info.Id, e => new ModelPrice(e.Info.InputPrice ?? 0m, e.Info.OutputPrice ?? 0m));
            PriceOf = model => prices.GetValueOrDefault(model);
            Result = Comparison.Of(await session.PathToAsync(id, first, ct), await session.PathToAsync(id, second, ct), PriceOf);
            (First, Second) = (first, second);
            return true;
        }
        // The picker: every visible branch end, the active one first.
        Outline = new TreeView(outline, id, tree.ActiveLeafId, false, text);
        var hidden = outline.Where(n => n.Hidden).Select(n => n.Id).ToHashSet();
        var byId = outline.ToDictionary(n => n.Id);
        bool Visible(OutlineNode n)
        {
            for (Guid? p = n.Id; p is { } current && byId.TryGetValue(current, out var node); p = node.ParentId)
                if (hidden.Contains(current)) return false;
            return true;
        }
        Leaves = [.. outline.Where(n => n.Id != id && Visible(n) && !n.Children.Any(c => byId.TryGetValue(c, out var child) && !child.Hidden))
            .OrderByDescending(n => n.Id == tree.ActiveLeafId)];
        First = a is { } x && Leaves.Any(l => l.Id == x) ? x : tree.ActiveLeafId;
        Second = b is { } y && Leaves.Any(l => l.Id == y) ? y : Leaves.Select(l => (Guid?)l.Id).FirstOrDefault(l => l != First);
        return true;
    }
}
