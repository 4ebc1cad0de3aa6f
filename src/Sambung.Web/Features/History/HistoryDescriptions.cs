using System.Globalization;
using Microsoft.Extensions.Localization;
using Sambung.Events;
using Sambung.Events.Conversations;

namespace Sambung.Web.Features.History;

// One sentence per event of a conversation, in the reader's language ("History.Event.<kind>"), for the History
// page. Quoted texts are shortened: the page shows the conversation itself beside the list.
public static class HistoryDescriptions
{
    public const int QuoteLength = 80;

    // Who acted, from the owner's point of view: the owner reads "You"; the server (a reply ending, a fallback, an
    // automatic title) is "Sambung".
    public static string Actor(object e, IStringLocalizer text) =>
        EventFacts.Actor(e) == EventFacts.System ? text["History.Actor.System"] : text["History.Actor.You"];

    public static string Describe(object e, IStringLocalizer text) => e switch
    {
        ConversationStarted x => text["History.Event.Started", x.Model.Model],
        UserMessagePosted x => text["History.Event.Posted", Quote(x.Text)],
        UserMessageEdited x => text["History.Event.Edited", Quote(x.Text)],
        ReplyRequested { RegenerationOf: not null } x => text["History.Event.Regenerated", x.Model.Model],
        ReplyRequested x => text["History.Event.Requested", x.Model.Model],
        ReplyCompleted x => text["History.Event.Completed", x.Model?.Model ?? x.ProviderModelId,
            (x.Usage.InputTokens + x.Usage.OutputTokens).ToString("N0", CultureInfo.CurrentCulture),
            x.Duration.TotalSeconds.ToString("0.0", CultureInfo.CurrentCulture)],
        ReplyFailed { Status: ReplyStatus.Interrupted } => text["History.Event.Interrupted"],
        ReplyFailed x => text["History.Event.Failed", x.Model?.Model ?? "?"],
        ReplyStopped => text["History.Event.Stopped"],
        FallbackTaken x => text["History.Event.Fallback", x.From.Model, x.To.Model],
        BranchSelected => text["History.Event.Selected"],
        BranchesMerged x => text[x.Strategy == MergeStrategy.Summary ? "History.Event.MergedSummary" : "History.Event.Merged"],
        BranchHidden => text["History.Event.Hidden"],
        BranchRestored => text["History.Event.Unhidden"],
        BranchLabeled { Label: "" } => text["History.Event.Unlabeled"],
        BranchLabeled x => text["History.Event.Labeled", Quote(x.Label)],
        BranchStarred => text["History.Event.Starred"],
        BranchUnstarred => text["History.Event.Unstarred"],
        ConversationForked => text["History.Event.Forked"],
        ConversationRenamed { Automatic: true } x => text["History.Event.Titled", Quote(x.Title)],
        ConversationRenamed x => text["History.Event.Renamed", Quote(x.Title)],
        ConversationPinned => text["History.Event.Pinned"],
        ConversationUnpinned => text["History.Event.Unpinned"],
        ConversationMovedToFolder { FolderId: null } => text["History.Event.OutOfFolder"],
        ConversationMovedToFolder => text["History.Event.Moved"],
        ConversationTagged x => text["History.Event.Tagged", x.Tag],
        ConversationUntagged x => text["History.Event.Untagged", x.Tag],
        ModelChanged x => text["History.Event.ModelChanged", x.Model.Model],
        SystemPromptChanged { SystemPrompt: null } => text["History.Event.SystemPromptRemoved"],
        SystemPromptChanged => text["History.Event.SystemPromptChanged"],
        GenerationParametersChanged => text["History.Event.ParametersChanged"],
        ConversationDeleted => text["History.Event.Deleted"],
        ConversationRestored => text["History.Event.Restored"],
        ConversationPurged => text["History.Event.Purged"],
        _ => text["History.Event.Other"],
    };

    public static string Quote(string value)
    {
        var flat = string.Join(' ', value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return flat.Length <= QuoteLength ? flat : flat[..(QuoteLength - 1)].TrimEnd() + "…";
    }

    // When, in the reader's time zone and culture: the date and the time to the second (several events often share a minute).
    public static string When(DateTimeOffset at, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(at, zone);
        return $"{local.ToString("d", CultureInfo.CurrentCulture)} {local.ToString("T", CultureInfo.CurrentCulture)}";
    }
}
