using Sambung.Events.Conversations;
using Sambung.Web.Features.Chats;

namespace Sambung.Web.Features.Branching;

// How a merge carries the other branch: its turns copied as they are (the default), or a summary the person writes.
// The same fields sit in every merge form (the tree's, each side of compare); Prefix keeps their ids apart.
// Error: the refusal shown next to the summary field (an empty summary), with what was chosen and typed kept.
public sealed record MergeChoice(string Prefix, MergeStrategy Strategy = MergeStrategy.Verbatim, string Summary = "", string? Error = null)
{
    public static MergeChoice From(string prefix, string? strategy, string? summary) =>
        new(prefix, string.Equals(strategy, nameof(MergeStrategy.Summary), StringComparison.OrdinalIgnoreCase) ? MergeStrategy.Summary : MergeStrategy.Verbatim,
            summary ?? "");

    public MergeBranches Command(Guid conversationId, Guid target, Guid source, Guid mergeId, string by) =>
        new(conversationId, target, source, Strategy, mergeId, by, Strategy == MergeStrategy.Summary ? Summary : null);

    // A summary merge refused for want of a summary: said next to the field rather than above the page.
    public bool MissingSummary(CommandResult result) =>
        Strategy == MergeStrategy.Summary && result is { Status: CommandStatus.Refused, Refusal: Sambung.Events.Refusals.EmptyMessage };
}
