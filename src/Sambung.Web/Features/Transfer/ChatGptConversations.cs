using System.Text.Json;
using Sambung.Events.Conversations;

namespace Sambung.Web.Features.Transfer;

// ChatGPT's conversations.json: an array of conversations, each a tree of nodes ("mapping": id -> {message,
// parent, children}) and the node the user last looked at ("current_node"). Every branch becomes ours: a user
// message beside another is an edit of it, a reply beside another a regeneration of it. Nodes that are not a user
// message or a text reply (the hidden system message, tool calls and results, empty nodes) are left out and their
// children hang from the nearest node that was kept. Pure: ids and time come from the caller's clock and Guid v7.
public static class ChatGptConversations
{
    // The provider part of an imported reply's model: these replies came from ChatGPT, not from a connection here.
    public const string Provider = "chatgpt";

    private sealed record Node(string Id, string? Parent, JsonElement Message, int Order, double? CreateTime, List<string> Listed)
    {
        public List<Node> Children { get; } = [];
    }

    private sealed record Kept(NodeKind Kind, string Text, DateTimeOffset? At, string? Model);

    public static bool Looks(JsonElement root) =>
        root.ValueKind == JsonValueKind.Array
        || (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("mapping", out _));

    // Throws ImportRefusedException for a conversation whose tree is broken (a missing parent, a loop) and for too
    // many chats or messages.
    internal static IReadOnlyList<ImportedChat> Read(JsonElement root, string ownerId, ModelRef chatModel, DateTimeOffset now, ImportLimits limits)
    {
        var conversations = root.ValueKind == JsonValueKind.Array ? root.EnumerateArray().ToList() : [root];
        if (conversations.Count > limits.MaxChats) throw new ImportRefusedException(new(ImportRefusal.TooManyChats, limits.MaxChats));
        var chats = new List<ImportedChat>();
        var messages = 0;
        for (var i = 0; i < conversations.Count; i++)
        {
            if (ReadOne(conversations[i], i + 1, ownerId, chatModel, now) is not { } chat) continue;
            messages += chat.MessageCount;
            if (messages > limits.MaxMessages) throw new ImportRefusedException(new(ImportRefusal.TooManyMessages, limits.MaxMessages));
            chats.Add(chat);
        }
        return chats;
    }

    private static ImportedChat? ReadOne(JsonElement conversation, int number, string ownerId, ModelRef chatModel, DateTimeOffset now)
    {
        var title = conversation.ValueKind == JsonValueKind.Object ? String(conversation, "title")?.Trim() ?? "" : "";
        var broken = new ImportRefusedException(new(ImportRefusal.BrokenChatGpt, title.Length > 0 ? title : $"#{number}"));
        if (conversation.ValueKind != JsonValueKind.Object || !conversation.TryGetProperty("mapping", out var mapping)
            || mapping.ValueKind != JsonValueKind.Object) throw broken;

        var nodes = new Dictionary<string, Node>();
        foreach (var entry in mapping.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.Object) throw broken;
            var parent = entry.Value.TryGetProperty("parent", out var p) ? p.ValueKind switch
            {
                JsonValueKind.String => p.GetString(),
                JsonValueKind.Null => null,
                _ => throw broken,
            } : null;
            var message = entry.Value.TryGetProperty("message", out var m) ? m : default;
            var listed = entry.Value.TryGetProperty("children", out var c) && c.ValueKind == JsonValueKind.Array
                ? c.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToList()
                : [];
            nodes[entry.Name] = new Node(entry.Name, parent, message, nodes.Count, Number(message, "create_time"), listed);
        }

        // Exactly one root, every parent present, and every node reachable from the root (else there is a loop).
        Node? root = null;
        foreach (var node in nodes.Values)
        {
            if (node.Parent is null)
            {
                if (root is not null) throw broken;
                root = node;
            }
            else if (nodes.TryGetValue(node.Parent, out var parent)) parent.Children.Add(node);
            else throw broken;
        }
        if (root is null) throw broken;
        foreach (var node in nodes.Values)
            node.Children.Sort((a, b) => (Place(node, a), a.CreateTime ?? 0, a.Order).CompareTo((Place(node, b), b.CreateTime ?? 0, b.Order)));
        var reachable = 0;
        var walk = new Stack<Node>([root]);
        while (walk.TryPop(out var node))
        {
            if (++reachable > nodes.Count) throw broken;
            foreach (var child in node.Children) walk.Push(child);
        }
        if (reachable != nodes.Count) throw broken;

        var id = Guid.CreateVersion7();
        var startedAt = Time(Number(conversation, "create_time")) ?? now;
        var defaultModel = String(conversation, "default_model_slug");
        var events = new List<ImportedEvent>();
        var newIds = new Dictionary<string, Guid>();
        var depth = new Dictionary<Guid, int> { [id] = 0 };
        var firstUser = new Dictionary<Guid, Guid>();
        var firstReply = new Dictionary<Guid, Guid>();
        var firstText = "";
        Guid lastAdded = id;

        // Depth first, parents before children, each node under its nearest kept ancestor.
        var pending = new Stack<(Node Node, Guid Parent, DateTimeOffset ParentAt)>();
        pending.Push((root, id, startedAt)); // usually empty, but an older export's root can be a message
        while (pending.TryPop(out var item))
        {
            var (node, parentId, parentAt) = item;
            var kept = Keep(node.Message);
            var under = parentId;
            var at = parentAt;
            if (kept is not null)
            {
                var nodeId = Guid.CreateVersion7();
                at = kept.At ?? parentAt;
                if (kept.Kind == NodeKind.User)
                {
                    if (firstText.Length == 0) firstText = kept.Text;
                    events.Add(new(firstUser.TryGetValue(parentId, out var original)
                        ? new UserMessageEdited(nodeId, parentId, original, kept.Text, ownerId, at)
                        : new UserMessagePosted(nodeId, parentId, kept.Text, ownerId, at)));
                    firstUser.TryAdd(parentId, nodeId);
                }
                else
                {
                    var model = new ModelRef(Provider, kept.Model ?? defaultModel ?? Provider);
                    Guid? regenerationOf = firstReply.TryGetValue(parentId, out var first) ? first : null;
                    events.Add(new(new ReplyRequested(nodeId, parentId, model, new GenerationParameters(),
                        new PromptContext(parentId, depth[parentId], null), ownerId, at, regenerationOf)));
                    events.Add(new(new ReplyCompleted(nodeId, kept.Text, "stop", new TokenUsage(0, 0), null, TimeSpan.Zero,
                        model.Model, at, ownerId, model)));
                    firstReply.TryAdd(parentId, nodeId);
                }
                depth[nodeId] = depth[parentId] + 1;
                newIds[node.Id] = under = lastAdded = nodeId;
            }
            else newIds[node.Id] = parentId; // a left-out node stands for its nearest kept ancestor
            foreach (var child in Enumerable.Reverse(node.Children)) pending.Push((child, under, at));
        }
        if (events.Count == 0) return null; // nothing a person said or was told: not worth a chat

        if (title.Length == 0) title = ConversationDecisions.TitleFrom(firstText);
        if (title.Length > ConversationDecisions.MaxRenameLength) title = title[..(ConversationDecisions.MaxRenameLength - 1)] + "…";
        events.Insert(0, new(new ConversationStarted(id, ownerId, title, chatModel, null, startedAt)));

        // The branch the user last looked at stays the one on screen.
        if (String(conversation, "current_node") is { } current && newIds.TryGetValue(current, out var leaf) && leaf != id && leaf != lastAdded)
            events.Add(new(new BranchSelected(leaf, ownerId, Time(Number(conversation, "update_time")) ?? startedAt)));
        return new ImportedChat(id, title, events, new Dictionary<Guid, string>());
    }

    // Where a child stands in its parent's own "children" list (the order ChatGPT shows versions in).
    private static int Place(Node parent, Node child) => parent.Listed.IndexOf(child.Id) is var i and >= 0 ? i : int.MaxValue;

    private static Kept? Keep(JsonElement message)
    {
        if (message.ValueKind != JsonValueKind.Object) return null;
        var role = message.TryGetProperty("author", out var author) && author.ValueKind == JsonValueKind.Object ? String(author, "role") : null;
        if (role is not ("user" or "assistant")) return null;
        if (String(message, "recipient") is { } recipient && recipient != "all") return null; // a call to a tool
        var metadata = message.TryGetProperty("metadata", out var md) && md.ValueKind == JsonValueKind.Object ? md : default;
        if (metadata.ValueKind == JsonValueKind.Object && metadata.TryGetProperty("is_visually_hidden_from_conversation", out var hidden)
            && hidden.ValueKind == JsonValueKind.True) return null;
        if (!message.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.Object) return null;
        if (String(content, "content_type") is not ("text" or "multimodal_text")) return null;
        if (!content.TryGetProperty("parts", out var parts) || parts.ValueKind != JsonValueKind.Array) return null;
        // Text parts only: images and files are references into ChatGPT's storage, which the export does not carry.
        var text = string.Join("\n", parts.EnumerateArray().Where(p => p.ValueKind == JsonValueKind.String).Select(p => p.GetString())).Trim();
        if (text.Length == 0) return null;
        var model = metadata.ValueKind == JsonValueKind.Object ? String(metadata, "model_slug") : null;
        return new Kept(role == "user" ? NodeKind.User : NodeKind.Assistant, text, Time(Number(message, "create_time")), model);
    }

    private static string? String(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static double? Number(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) ? d : null;

    // ChatGPT's times are seconds since 1970 with a fraction; kept to the millisecond.
    private static DateTimeOffset? Time(double? seconds) =>
        seconds is { } s && s is > 0 and < 253_402_300_799 ? DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(s * 1000)) : null;
}
