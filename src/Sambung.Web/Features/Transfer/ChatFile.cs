using System.Text.Json;
using System.Text.Json.Nodes;
using JasperFx.Events;
using Sambung.Events.Conversations;
using Sambung.Projections;
using Sambung.Projections.Library;

namespace Sambung.Web.Features.Transfer;

// Our own chat file: {format:"sambung.chat", version:1, conversationId, title, exportedAt, folders:[{id,name}],
// events:[{type, version, at, data}]}. The events are the chat's whole stream, so the file is lossless; reading it
// back gives the same events under new ids (importing a file twice makes two copies, never a collision).
public static class ChatFile
{
    public const string Format = "sambung.chat";
    public const int Version = 1;

    // When an imported event first happened. The store stamps each event with the time it was appended, so an
    // imported event keeps its original time here and an export gives that time back.
    public const string OriginalAtHeader = "sambung-original-at";

    private static readonly JsonSerializerOptions WriteJson = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    // Reading is strict: a missing or null value where an event needs one makes the file broken, not a half event.
    private static readonly JsonSerializerOptions ReadJson = new(JsonSerializerDefaults.Web)
    {
        RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true,
    };

    // The conversation events a file may hold, by the name the store gives them (ConversationStarted ->
    // "conversation_started"). A purge never appears: a purged chat cannot be exported.
    private static readonly Dictionary<string, Type> EventTypes = SambungStore.EventTypes
        .Where(t => t.Namespace == typeof(ConversationStarted).Namespace && t != typeof(ConversationPurged))
        .ToDictionary(TypeName);

    public static string TypeName(Type type) =>
        string.Concat(type.Name.Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    public static async Task WriteAsync(Stream stream, Guid id, string title, IReadOnlyList<IEvent> events, IEnumerable<FolderView> folders,
        DateTimeOffset exportedAt, CancellationToken ct)
    {
        // The folders the chat has been in that still exist, so an import can find or recreate them by name.
        var referenced = events.Select(e => e.Data).OfType<ConversationMovedToFolder>().Select(m => m.FolderId).OfType<Guid>().ToHashSet();
        var document = new
        {
            format = Format, version = Version, conversationId = id, title, exportedAt,
            folders = folders.Where(f => referenced.Contains(f.Id)).Select(f => new { id = f.Id, name = f.Name }),
            events = events.Select(e => new { type = e.EventTypeName, version = e.Version, at = OriginalAt(e) ?? e.Timestamp, data = e.Data }),
        };
        await JsonSerializer.SerializeAsync(stream, document, WriteJson, ct);
    }

    // Kept as UTC ticks in text: a date in text came back from the store's header reader as a DateTime without its
    // fraction of a second.
    public static string OriginalAtValue(DateTimeOffset at) => at.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static DateTimeOffset? OriginalAt(IEvent e) =>
        e.Headers?.GetValueOrDefault(OriginalAtHeader)?.ToString() is { } text
        && long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ticks)
        && ticks is > 0 and <= 3155378975999999999
            ? new DateTimeOffset(ticks, TimeSpan.Zero)
            : null;

    // Whether a JSON document says it is one of ours (any version).
    public static bool IsChatFile(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("format", out var f) && f.ValueKind == JsonValueKind.String && f.GetString() == Format;

    // The chat in a file of ours, under new ids and owned by ownerId. Throws ImportRefusedException when the file
    // is not one of ours, is of another version, or does not hold a consistent chat.
    internal static ImportedChat Read(JsonElement root, string ownerId)
    {
        if (!IsChatFile(root)) throw new ImportRefusedException(new(ImportRefusal.NotRecognised));
        if (!root.TryGetProperty("version", out var v) || !v.TryGetInt32(out var version) || version != Version)
            throw new ImportRefusedException(new(ImportRefusal.UnsupportedVersion, v.ValueKind == JsonValueKind.Undefined ? "?" : v.ToString()));
        var title = root.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "";
        var broken = new ImportRefusedException(new(ImportRefusal.BrokenChat, title));
        if (!root.TryGetProperty("events", out var list) || list.ValueKind != JsonValueKind.Array) throw broken;

        var ids = new IdMap();
        var folders = new Dictionary<Guid, string>();
        if (root.TryGetProperty("folders", out var listed) && listed.ValueKind == JsonValueKind.Array)
            foreach (var folder in listed.EnumerateArray())
            {
                if (folder.ValueKind != JsonValueKind.Object || !folder.TryGetProperty("id", out var fid) || !fid.TryGetGuid(out var folderId)
                    || !folder.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String) throw broken;
                folders[ids.Folder(folderId)] = name.GetString()!;
            }

        var events = new List<ImportedEvent>();
        foreach (var item in list.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object
                || !item.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || !EventTypes.TryGetValue(type.GetString()!, out var eventType)
                || !item.TryGetProperty("version", out var ev) || !ev.TryGetInt64(out var eventVersion) || eventVersion != events.Count + 1
                || !item.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
                throw broken;
            DateTimeOffset? at = item.TryGetProperty("at", out var a) && a.ValueKind == JsonValueKind.String && a.TryGetDateTimeOffset(out var when) ? when : null;
            try
            {
                var node = JsonNode.Parse(data.GetRawText())!;
                ids.Remap(node, ownerId);
                events.Add(new(node.Deserialize(eventType, ReadJson) ?? throw broken, at));
            }
            catch (JsonException) { throw broken; }
            catch (NotSupportedException) { throw broken; }
        }
        var newId = ids.Node(root.TryGetProperty("conversationId", out var cid) && cid.TryGetGuid(out var oldId) ? oldId : Guid.Empty);
        if (!ChatConsistency.IsConsistent(newId, events.Select(e => e.Data).ToList())) throw broken;
        return new ImportedChat(newId, title, events, folders);
    }

    // Old ids to new ones, the same old id always to the same new one. Which fields hold ids is known by name, so a
    // message whose text happens to be an id is left alone.
    private sealed class IdMap
    {
        private static readonly HashSet<string> NodeFields = new(StringComparer.OrdinalIgnoreCase)
        {
            "conversationId", "nodeId", "parentId", "editOf", "leafId", "sourceLeafId", "sourceNodeIds", "pathEnd", "regenerationOf", "nodeIds",
        };

        private static readonly HashSet<string> PersonFields = new(StringComparer.OrdinalIgnoreCase) { "ownerId", "by" };

        private readonly Dictionary<Guid, Guid> nodes = [];
        private readonly Dictionary<Guid, Guid> folders = [];

        public Guid Node(Guid old) => Of(nodes, old);

        public Guid Folder(Guid old) => Of(folders, old);

        private static Guid Of(Dictionary<Guid, Guid> map, Guid old)
        {
            if (!map.TryGetValue(old, out var id)) map[old] = id = Guid.CreateVersion7();
            return id;
        }

        public void Remap(JsonNode node, string ownerId)
        {
            if (node is JsonArray array)
                foreach (var item in array) { if (item is not null) Remap(item, ownerId); }
            if (node is not JsonObject obj) return;
            foreach (var (name, value) in obj.ToList())
            {
                if (value is null) continue;
                if (NodeFields.Contains(name)) obj[name] = Replaced(value, Node);
                else if (string.Equals(name, "folderId", StringComparison.OrdinalIgnoreCase)) obj[name] = Replaced(value, Folder);
                // The chat is the importer's now; what the server did on its own stays the server's.
                else if (PersonFields.Contains(name) && value.GetValueKind() == JsonValueKind.String && value.GetValue<string>() != Sambung.Events.EventFacts.System)
                    obj[name] = ownerId;
                else Remap(value, ownerId);
            }
        }

        private static JsonNode Replaced(JsonNode value, Func<Guid, Guid> map) => value switch
        {
            JsonArray array => new JsonArray([.. array.Select(item => item is null ? null : Replaced(item, map))]),
            JsonValue v when v.GetValueKind() == JsonValueKind.String && Guid.TryParse(v.GetValue<string>(), out var id) => JsonValue.Create(map(id)),
            _ => value.DeepClone(),
        };
    }
}

// Whether a list of events makes a conversation the rest of Sambung can fold and show: it starts the conversation
// it claims to, every node is added once under a node that exists, and every change names a node that exists.
public static class ChatConsistency
{
    public static bool IsConsistent(Guid id, IReadOnlyList<object> events)
    {
        if (events.Count == 0 || events[0] is not ConversationStarted started || started.ConversationId != id) return false;
        var state = Conversation.Create(started);
        foreach (var e in events.Skip(1))
        {
            var ok = e switch
            {
                ConversationStarted or ConversationPurged => false,
                UserMessagePosted x => Adds(state, x.NodeId, x.ParentId),
                UserMessageEdited x => Adds(state, x.NodeId, x.ParentId) && state.Find(x.EditOf) is { Kind: NodeKind.User },
                ReplyRequested x => Adds(state, x.NodeId, x.ParentId),
                BranchesMerged x => Adds(state, x.NodeId, x.ParentId),
                ReplyCompleted x => IsReply(state, x.NodeId),
                ReplyFailed x => IsReply(state, x.NodeId),
                ReplyStopped x => IsReply(state, x.NodeId),
                FallbackTaken x => IsReply(state, x.NodeId),
                BranchSelected x => state.Has(x.LeafId),
                BranchHidden x => x.NodeId != id && state.Find(x.NodeId)?.ParentId == x.ParentId,
                BranchRestored x => x.NodeId != id && state.Find(x.NodeId)?.ParentId == x.ParentId,
                BranchLabeled x => x.NodeId != id && state.Has(x.NodeId),
                BranchStarred x => x.NodeId != id && state.Has(x.NodeId),
                BranchUnstarred x => x.NodeId != id && state.Has(x.NodeId),
                _ => true,
            };
            if (!ok) return false;
            state = state.Apply(e);
        }
        return true;
    }

    private static bool Adds(Conversation state, Guid nodeId, Guid parentId) => !state.Has(nodeId) && state.Has(parentId);

    private static bool IsReply(Conversation state, Guid nodeId) => state.Find(nodeId) is { Kind: NodeKind.Assistant };
}
