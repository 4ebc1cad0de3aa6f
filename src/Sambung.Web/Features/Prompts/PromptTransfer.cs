using System.Text.Json;
using System.Text.Json.Serialization;
using Sambung.Events.Prompts;

namespace Sambung.Web.Features.Prompts;

// Prompts as a JSON file: {"format":"sambung-prompts","version":1,"prompts":[{name, description, text, category,
// tags}]}. Import is all or nothing: every prompt is checked first, and one bad prompt (or a bad file) changes
// nothing. A name already in the library (or earlier in the file) gets " (2)", " (3)", ...
public static class PromptTransfer
{
    public const string Format = "sambung-prompts";
    public const int MaxFileBytes = 2 * 1024 * 1024;
    public const int MaxPrompts = 500;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public sealed record PromptFile(string Format, int Version, List<PromptEntry> Prompts);

    public sealed record PromptEntry(string? Name, string? Description, string? Text, string? Category, List<string>? Tags);

    public static byte[] Export(IEnumerable<PromptCard> prompts) => JsonSerializer.SerializeToUtf8Bytes(
        new PromptFile(Format, 1, [.. prompts.Select(p => new PromptEntry(p.Name, p.Description, p.Text, p.Category, [.. p.Tags]))]), Json);

    public sealed record ImportResult(IReadOnlyList<PromptContent> Prompts, string? Error, int? BadIndex = null, string? BadName = null);

    // What to create, or why nothing will be: "File" (not our JSON), "Empty", "TooMany", or the refusal code of
    // the first invalid prompt with its 1-based position and name.
    public static ImportResult Read(ReadOnlySpan<byte> bytes, IEnumerable<string> existingNames)
    {
        PromptFile? file;
        try
        {
            file = JsonSerializer.Deserialize<PromptFile>(bytes, Json);
        }
        catch (JsonException)
        {
            return new([], "File");
        }
        if (file is null || file.Format != Format || file.Prompts is null) return new([], "File");
        if (file.Prompts.Count == 0) return new([], "Empty");
        if (file.Prompts.Count > MaxPrompts) return new([], "TooMany");

        var taken = new HashSet<string>(existingNames, StringComparer.CurrentCultureIgnoreCase);
        var result = new List<PromptContent>();
        for (var i = 0; i < file.Prompts.Count; i++)
        {
            var entry = file.Prompts[i];
            if (entry is null) return new([], PromptRefusals.InvalidName, i + 1, "");
            var (content, refusal) = PromptTemplate.Normalize(new(entry.Name ?? "", entry.Description ?? "", entry.Text ?? "",
                entry.Category ?? "", entry.Tags ?? []));
            if (content is null) return new([], refusal, i + 1, entry.Name ?? "");
            var name = Unique(content.Name, taken);
            if (name.Length > PromptTemplate.MaxNameLength) return new([], PromptRefusals.InvalidName, i + 1, content.Name);
            taken.Add(name);
            result.Add(content with { Name = name });
        }
        return new(result, null);
    }

    public static string Unique(string name, IReadOnlySet<string> taken)
    {
        if (!taken.Contains(name)) return name;
        for (var n = 2; ; n++)
            if (!taken.Contains($"{name} ({n})")) return $"{name} ({n})";
    }
}
