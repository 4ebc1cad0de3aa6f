namespace Sambung.Events;

// The outcome of a pure decision: events to append, nothing to do (the command was already applied), or a refusal
// with a code the UI turns into a message in the user's language. Refusals are expected; exceptions are for bugs.
public sealed record Decision
{
    public IReadOnlyList<object> Events { get; private init; } = [];
    public string? Refusal { get; private init; }
    public bool IsRefused => Refusal is not null;
    public bool IsNoChange => Refusal is null && Events.Count == 0;

    public static readonly Decision NoChange = new();
    public static Decision Accept(params object[] events) => new() { Events = events };
    public static Decision Refuse(string refusal) => new() { Refusal = refusal };
}

// Refusal codes shared by every decision. The web layer maps each to a localized message ("Refusal.<code>").
public static class Refusals
{
    public const string NotFound = "NotFound";
    public const string EmptyMessage = "EmptyMessage";
    public const string MessageTooLong = "MessageTooLong";
    public const string UnknownParent = "UnknownParent";
    public const string ReplyInProgress = "ReplyInProgress";
    public const string NotAReply = "NotAReply";
    public const string IdAlreadyUsed = "IdAlreadyUsed";
    public const string NotAUserMessage = "NotAUserMessage";
    public const string BranchHidden = "BranchHidden";
    public const string OnlyBranch = "OnlyBranch";
    public const string NothingToMerge = "NothingToMerge";
    public const string EmptyTitle = "EmptyTitle";
    public const string TitleTooLong = "TitleTooLong";
    public const string InvalidTag = "InvalidTag";
    public const string TooManyTags = "TooManyTags";
    public const string InvalidModel = "InvalidModel";
    public const string SystemPromptTooLong = "SystemPromptTooLong";
    public const string InvalidParameters = "InvalidParameters";
    public const string InTrash = "InTrash";
    public const string InvalidFolderName = "InvalidFolderName";
    public const string FolderExists = "FolderExists";
    public const string TooManyFolders = "TooManyFolders";
    public const string TagExists = "TagExists";
    public const string InvalidLabel = "InvalidLabel";
}
