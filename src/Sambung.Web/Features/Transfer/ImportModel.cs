using Sambung.Events.Conversations;

namespace Sambung.Web.Features.Transfer;

// How much one import may bring in ("Sambung:Import" in configuration). The file limit is the upload's; the
// expanded limit caps what a ZIP may unpack to (a small ZIP can claim gigabytes); the counts keep one import from
// taking the server for minutes.
public sealed class ImportLimits
{
    public const string Section = "Sambung:Import";

    public long MaxFileBytes { get; set; } = 50L * 1024 * 1024;
    public long MaxExpandedBytes { get; set; } = 200L * 1024 * 1024;
    public int MaxZipEntries { get; set; } = 20_000;
    public int MaxChats { get; set; } = 5_000;
    public int MaxMessages { get; set; } = 200_000;

    public int MaxFileMegabytes => (int)Math.Max(1, MaxFileBytes / (1024 * 1024));
}

// One event of an imported chat, with the time it first happened when the file says (our own JSON does).
public sealed record ImportedEvent(object Data, DateTimeOffset? OriginalAt = null);

// A chat read from a file, already under new ids and the importing user. Its ConversationMovedToFolder events name
// folders by ids that only mean something inside this import: Folders gives their names, the import finds or
// creates the user's folder of that name.
public sealed record ImportedChat(Guid Id, string Title, IReadOnlyList<ImportedEvent> Events, IReadOnlyDictionary<Guid, string> Folders)
{
    public int MessageCount => Events.Count(e => e.Data is UserMessagePosted or UserMessageEdited or ReplyRequested or BranchesMerged);
}

// A refusal the page shows in the reader's language: "Import.Refusal.<Code>" formatted with Args.
public sealed record ImportRefusal(string Code, params object[] Args)
{
    public const string NoFile = "NoFile";
    public const string TooLarge = "TooLarge";
    public const string NotRecognised = "NotRecognised";
    public const string Malformed = "Malformed";
    public const string UnsupportedVersion = "UnsupportedVersion";
    public const string BadZip = "BadZip";
    public const string ZipTooLarge = "ZipTooLarge";
    public const string ZipTooManyFiles = "ZipTooManyFiles";
    public const string TooManyChats = "TooManyChats";
    public const string TooManyMessages = "TooManyMessages";
    public const string BrokenChat = "BrokenChat";
    public const string BrokenChatGpt = "BrokenChatGpt";
    public const string NothingToImport = "NothingToImport";
    public const string TooManyFolders = "TooManyFolders";
    public const string TooManyTags = "TooManyTags";
}

// Thrown only inside the readers, deep in a walk over a file, and always caught by ImportReader.Read: it turns
// into the refusal the page shows. Nothing outside this feature sees it.
internal sealed class ImportRefusedException(ImportRefusal refusal) : Exception(refusal.Code)
{
    public ImportRefusal Refusal { get; } = refusal;
}
