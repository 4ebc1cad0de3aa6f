using System.Security.Cryptography;

namespace Sambung.Events.Conversations;

// An empty label removes the node's label.
public sealed record LabelBranch(Guid ConversationId, Guid NodeId, string Label, string By) : IUserCommand;

public sealed record StarBranch(Guid ConversationId, Guid NodeId, bool Starred, string By) : IUserCommand;

// Copies the path from the root down to SourceNodeId of the source conversation into a new conversation of the same
// owner. Not a command to the source: nothing is appended there.
public sealed record ForkConversation(Guid NewConversationId, Guid SourceConversationId, Guid SourceNodeId, string By);

// The tree's own decisions: marking branches (label, star) and forking a path into a new chat.
public static partial class ConversationDecisions
{
    public const int MaxLabelLength = 60;

    public static Decision Decide(LabelBranch cmd, Conversation state, DateTimeOffset now)
    {
        if (Writable(state) is { } closed) return closed;
        if (!state.Has(cmd.NodeId) || cmd.NodeId == state.Id) return Decision.Refuse(Refusals.NotFound);
        var label = string.Join(' ', cmd.Label.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (label.Length > MaxLabelLength || label.Any(char.IsControl)) return Decision.Refuse(Refusals.InvalidLabel);
        return label == (state.Nodes[cmd.NodeId].Label ?? "")
            ? Decision.NoChange
            : Decision.Accept(new BranchLabeled(cmd.NodeId, label, cmd.By, now));
    }

    public static Decision Decide(StarBranch cmd, Conversation state, DateTimeOffset now)
    {
        if (Writable(state) is { } closed) return closed;
        if (!state.Has(cmd.NodeId) || cmd.NodeId == state.Id) return Decision.Refuse(Refusals.NotFound);
        if (state.Nodes[cmd.NodeId].Starred == cmd.Starred) return Decision.NoChange;
        return Decision.Accept(cmd.Starred ? new BranchStarred(cmd.NodeId, cmd.By, now) : new BranchUnstarred(cmd.NodeId, cmd.By, now));
    }

    // The events that start the fork: its start, where it came from, the chat's parameters when they are not the
    // defaults, then every node on the path, oldest first, each under the copy of its parent. Copied replies keep
    // their text, status and model but carry no token usage and are marked as copies: the request was made (and
    // counted) once, in the source.
    // A copied merge keeps its text; its provenance stays in the source (the fork links back to it).
    public static Decision Decide(ForkConversation cmd, Conversation? existing, Conversation source, DateTimeOffset now)
    {
        if (existing is not null)
            return existing.ForkedFrom == (source.Id, cmd.SourceNodeId) && existing.OwnerId == cmd.By
                ? Decision.NoChange : Decision.Refuse(Refusals.IdAlreadyUsed);
        if (Writable(source) is { } closed) return closed;
        if (source.OwnerId != cmd.By || !source.Has(cmd.SourceNodeId) || cmd.SourceNodeId == source.Id)
            return Decision.Refuse(Refusals.NotFound);
        var path = source.PathTo(cmd.SourceNodeId);
        if (path.Any(n => n.IsPending)) return Decision.Refuse(Refusals.ReplyInProgress);

        var id = cmd.NewConversationId;
        var events = new List<object>
        {
            new ConversationStarted(id, cmd.By, source.Title, source.Model, source.SystemPrompt, now),
            new ConversationForked(source.Id, cmd.SourceNodeId, cmd.By, now),
        };
        if (source.Parameters != new GenerationParameters()) events.Add(new GenerationParametersChanged(source.Parameters, cmd.By, now));
        var parent = id;
        var depth = 0;
        foreach (var node in path)
        {
            var copy = ForkedNodeId(id, node.Id);
            switch (node.Kind)
            {
                case NodeKind.User:
                    events.Add(new UserMessagePosted(copy, parent, node.Text, cmd.By, now));
                    break;
                case NodeKind.Merge:
                    events.Add(new BranchesMerged(copy, parent, parent, [], MergeStrategy.Verbatim, node.Text, cmd.By, now));
                    break;
                default:
                    var model = node.Model ?? source.Model;
                    events.Add(new ReplyRequested(copy, parent, model, source.Parameters,
                        new PromptContext(parent, depth, source.SystemPrompt), cmd.By, now, Copy: true));
                    events.Add(node.Status switch
                    {
                        ReplyStatus.Stopped => new ReplyStopped(copy, node.Text, cmd.By, now, model, Copy: true),
                        ReplyStatus.Failed or ReplyStatus.Interrupted => new ReplyFailed(copy,
                            node.Status == ReplyStatus.Interrupted ? ReplyFailed.InterruptedKind : "unknown", "", node.Text, now, cmd.By, model, Copy: true),
                        _ => new ReplyCompleted(copy, node.Text, "stop", new TokenUsage(0, 0), null, TimeSpan.Zero, model.Model, now, cmd.By, model, Copy: true),
                    });
                    break;
            }
            if (node.Label is { } label) events.Add(new BranchLabeled(copy, label, cmd.By, now));
            if (node.Starred) events.Add(new BranchStarred(copy, cmd.By, now));
            parent = copy;
            depth++;
        }
        return Decision.Accept([.. events]);
    }

    // A copied node's id, derived from the fork's id and the original's: the same fork always copies to the same
    // ids (a repeated command changes nothing), and two forks never share one.
    public static Guid ForkedNodeId(Guid fork, Guid original)
    {
        Span<byte> both = stackalloc byte[32];
        fork.TryWriteBytes(both);
        original.TryWriteBytes(both[16..]);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(both, hash);
        hash[7] = (byte)((hash[7] & 0x0F) | 0x80); // version 8 (custom), in the layout TryWriteBytes uses
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(hash[..16]);
    }
}
