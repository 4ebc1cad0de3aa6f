using System.IO.Compression;
using System.Text.Json;
using Sambung.Events.Conversations;

namespace Sambung.Web.Features.Transfer;

// What a file holds, or why it cannot be imported.
public sealed record ImportReading(IReadOnlyList<ImportedChat> Chats, ImportRefusal? Refusal = null)
{
    public static ImportReading Refused(ImportRefusal refusal) => new([], refusal);
}

// Reads a whole upload before anything is written: our chat JSON, our ZIP of all chats, or ChatGPT's
// conversations.json. Every check (size, shape, ids, limits) happens here, so an import either has chats that are
// all sound or is refused with one clear reason.
public static class ImportReader
{
    private static readonly JsonDocumentOptions JsonOptions = new() { MaxDepth = 128 };

    public static ImportReading Read(Stream file, string ownerId, ModelRef chatModel, DateTimeOffset now, ImportLimits limits)
    {
        try
        {
            var chats = ReadChats(file, ownerId, chatModel, now, limits);
            if (chats.Count == 0) return ImportReading.Refused(new(ImportRefusal.NothingToImport));
            if (chats.Count > limits.MaxChats) return ImportReading.Refused(new(ImportRefusal.TooManyChats, limits.MaxChats));
            if (chats.Sum(c => c.MessageCount) > limits.MaxMessages) return ImportReading.Refused(new(ImportRefusal.TooManyMessages, limits.MaxMessages));
            return new ImportReading(chats);
        }
        catch (ImportRefusedException refused)
        {
            return ImportReading.Refused(refused.Refusal);
        }
    }

    private static IReadOnlyList<ImportedChat> ReadChats(Stream file, string ownerId, ModelRef chatModel, DateTimeOffset now, ImportLimits limits)
    {
        var stream = Seekable(file, limits.MaxFileBytes);
        if (stream.Length == 0) throw new ImportRefusedException(new(ImportRefusal.NoFile));
        Span<byte> magic = stackalloc byte[4];
        var read = stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
        stream.Position = 0;
        if (read == 4 && magic[0] == 'P' && magic[1] == 'K' && magic[2] is 3 or 5 && magic[3] is 4 or 6)
            return ReadZip(stream, ownerId, limits);

        using var document = Parse(stream, ImportRefusal.Malformed, null);
        var root = document.RootElement;
        if (ChatFile.IsChatFile(root)) return [ChatFile.Read(root, ownerId)];
        if (ChatGptConversations.Looks(root)) return ChatGptConversations.Read(root, ownerId, chatModel, now, limits);
        throw new ImportRefusedException(new(ImportRefusal.NotRecognised));
    }

    // Our ZIP: a folder per user folder, a chat file per chat (and a Markdown copy beside it, which is ignored).
    private static List<ImportedChat> ReadZip(Stream stream, string ownerId, ImportLimits limits)
    {
        ZipArchive zip;
        try { zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true); }
        catch (InvalidDataException) { throw new ImportRefusedException(new(ImportRefusal.BadZip, "")); }
        using (zip)
        {
            if (zip.Entries.Count > limits.MaxZipEntries) throw new ImportRefusedException(new(ImportRefusal.ZipTooManyFiles, limits.MaxZipEntries));
            var chats = new List<ImportedChat>();
            var left = limits.MaxExpandedBytes;
            foreach (var entry in zip.Entries)
            {
                var name = entry.FullName;
                var bad = new ImportRefusedException(new(ImportRefusal.BadZip, name));
                if (!IsSafeName(name)) throw bad;
                if (name.EndsWith('/')) continue;
                var extension = Path.GetExtension(name).ToLowerInvariant();
                if (extension is ".md" or ".txt") continue;
                if (extension != ".json") throw bad;
                // The sizes a ZIP declares can lie: count what actually comes out.
                if (entry.Length > left) throw new ImportRefusedException(new(ImportRefusal.ZipTooLarge, limits.MaxExpandedBytes / (1024 * 1024)));
                var bytes = new MemoryStream();
                try
                {
                    using var content = entry.Open();
                    var buffer = new byte[81920];
                    int n;
                    while ((n = content.Read(buffer)) > 0)
                    {
                        left -= n;
                        if (left < 0) throw new ImportRefusedException(new(ImportRefusal.ZipTooLarge, limits.MaxExpandedBytes / (1024 * 1024)));
                        bytes.Write(buffer, 0, n);
                    }
                }
                catch (InvalidDataException) { throw bad; }
                bytes.Position = 0;
                using var document = Parse(bytes, ImportRefusal.BadZip, name);
                if (!ChatFile.IsChatFile(document.RootElement)) throw bad;
                chats.Add(ChatFile.Read(document.RootElement, ownerId));
                if (chats.Count > limits.MaxChats) throw new ImportRefusedException(new(ImportRefusal.TooManyChats, limits.MaxChats));
            }
            return chats;
        }
    }

    // A relative path without climbing out ("..") or a drive, as every entry of a ZIP we write is.
    public static bool IsSafeName(string name) =>
        name.Length is > 0 and <= 1024 && !name.StartsWith('/') && !name.Contains('\\') && !name.Contains(':') && !name.Any(char.IsControl)
        && name.TrimEnd('/').Split('/').All(part => part.Length > 0 && part != "." && part != "..");

    private static JsonDocument Parse(Stream stream, string refusal, string? entry)
    {
        try { return JsonDocument.Parse(stream, JsonOptions); }
        catch (JsonException e)
        {
            throw new ImportRefusedException(entry is null ? new(refusal, (e.LineNumber ?? 0) + 1) : new(refusal, entry));
        }
    }

    private static Stream Seekable(Stream file, long max)
    {
        if (file.CanSeek)
        {
            if (file.Length > max) throw new ImportRefusedException(new(ImportRefusal.TooLarge, max / (1024 * 1024)));
            return file;
        }
        var copy = new MemoryStream();
        var buffer = new byte[81920];
        int n;
        while ((n = file.Read(buffer)) > 0)
        {
            if (copy.Length + n > max) throw new ImportRefusedException(new(ImportRefusal.TooLarge, max / (1024 * 1024)));
            copy.Write(buffer, 0, n);
        }
        copy.Position = 0;
        return copy;
    }
}
