using Sambung.Events.Accounts;
using Sambung.Events.Conversations;
using Sambung.Events.Library;
using Sambung.Events.Prompts;

namespace Sambung.Events;

// Who did it and what it touched, for every event: the audit trail and the History page read these.
public static class EventFacts
{
    public const string System = "system";

    public static string Actor(object e) => e switch
    {
        ConversationStarted x => x.OwnerId,
        UserMessagePosted x => x.By,
        UserMessageEdited x => x.By,
        ReplyRequested x => x.By,
        ReplyStopped x => x.By,
        BranchSelected x => x.By,
        BranchesMerged x => x.By,
        BranchHidden x => x.By,
        BranchRestored x => x.By,
        BranchLabeled x => x.By,
        BranchStarred x => x.By,
        BranchUnstarred x => x.By,
        ConversationForked x => x.By,
        ConversationRenamed x => x.Automatic ? System : x.By,
        ConversationPinned x => x.By,
        ConversationUnpinned x => x.By,
        ConversationMovedToFolder x => x.By,
        ConversationTagged x => x.By,
        ConversationUntagged x => x.By,
        ModelChanged x => x.By,
        SystemPromptChanged x => x.By,
        GenerationParametersChanged x => x.By,
        ConversationDeleted x => x.By,
        ConversationRestored x => x.By,
        ConversationPurged x => x.By,
        FolderCreated x => x.By,
        FolderRenamed x => x.By,
        FolderDeleted x => x.By,
        TagCreated x => x.By,
        TagRenamed x => x.By,
        TagDeleted x => x.By,
        PromptCreated x => x.OwnerId,
        PromptEdited x => x.By,
        PromptVersionRestored x => x.By,
        PromptDeleted x => x.By,
        PromptPublished x => x.By,
        PromptUnpublished x => x.By,
        PromptCopied x => x.By,
        AccountRegistered x => x.UserId,
        SignedIn x => x.UserId,
        SignInFailed x => x.UserId,
        SignedOut x => x.UserId,
        SessionRevoked x => x.By,
        PasswordChanged x => x.By,
        RoleGranted x => x.By,
        RoleRevoked x => x.By,
        AccountDisabled x => x.By,
        AccountEnabled x => x.By,
        AccountApproved x => x.By,
        ExternalLoginLinked x => x.By,
        ProfileUpdated x => x.By,
        ProviderKeyAdded x => x.By,
        ProviderKeyRemoved x => x.By,
        AccountDeleted x => x.By,
        Pricing.ModelPriceSet x => x.By,
        _ => System, // a reply completing or failing, a fallback, a lockout: the server acted
    };

    public static Guid? Target(object e) => e switch
    {
        UserMessagePosted x => x.NodeId,
        UserMessageEdited x => x.NodeId,
        ReplyRequested x => x.NodeId,
        ReplyCompleted x => x.NodeId,
        ReplyFailed x => x.NodeId,
        ReplyStopped x => x.NodeId,
        FallbackTaken x => x.NodeId,
        BranchSelected x => x.LeafId,
        BranchesMerged x => x.NodeId,
        BranchHidden x => x.NodeId,
        BranchRestored x => x.NodeId,
        BranchLabeled x => x.NodeId,
        BranchStarred x => x.NodeId,
        BranchUnstarred x => x.NodeId,
        ConversationForked x => x.SourceConversationId,
        ConversationMovedToFolder x => x.FolderId,
        FolderCreated x => x.FolderId,
        FolderRenamed x => x.FolderId,
        FolderDeleted x => x.FolderId,
        PromptCopied x => x.CopyId,
        SignedIn x => x.SessionId,
        SignedOut x => x.SessionId,
        SessionRevoked x => x.SessionId,
        ProviderKeyAdded x => x.ConnectionId,
        ProviderKeyRemoved x => x.ConnectionId,
        _ => null,
    };
}
