using System.Net;
using System.Text;
using Microsoft.Extensions.Localization;
using Sambung.Events.Conversations;
using Sambung.Projections.Conversations;

namespace Sambung.Web.Features.Branching;

// The whole conversation tree as nested lists of radio buttons, drawn on the server. Every node is one radio of
// one group ("node"), so the arrow keys walk the tree in reading order with no script, and the buttons after the
// tree act on the chosen node. A run of messages without alternatives is one list; where a node has several
// visible children, each child starts a nested list of its own: depth grows with branch points, not with length.
// Markup is kept small on purpose (5,000 nodes must stay a few hundred KB compressed): one id per node, short class
// names, excerpts rather than whole texts.
public sealed class TreeView
{
    public const int ExcerptLength = 60;

    private readonly Dictionary<Guid, OutlineNode> nodes;
    private readonly HashSet<Guid> activePath = [];
    private readonly Guid root;
    private readonly bool showHidden;
    private readonly string you, assistant, merged, active, hiddenMark, starred, pending;

    public TreeView(IReadOnlyList<OutlineNode> outline, Guid root, Guid activeLeaf, bool showHidden, IStringLocalizer text)
    {
        nodes = outline.ToDictionary(n => n.Id);
        this.root = root;
        this.showHidden = showHidden;
        for (Guid? id = activeLeaf; id is { } current && nodes.TryGetValue(current, out var node); id = node.ParentId)
            activePath.Add(current);
        (you, assistant, merged) = (text["Message.You"], text["Message.Assistant"], text["Tree.RoleMerge"]);
        (active, hiddenMark, starred, pending) = (text["Tree.OnActivePath"], text["Tree.HiddenMark"], text["Tree.Starred"], text["Tree.Pending"]);
        HiddenCount = CountHidden();
    }

    // One walk down from the root: a hidden node counts when nothing above it is hidden (or hidden ones are shown).
    private int CountHidden()
    {
        var count = 0;
        if (!nodes.ContainsKey(root)) return 0;
        var stack = new Stack<Guid>([root]);
        while (stack.Count > 0)
            foreach (var id in nodes[stack.Pop()].Children)
                if (nodes.TryGetValue(id, out var child))
                {
                    if (child.Hidden) count++;
                    if (!child.Hidden || showHidden) stack.Push(id);
                }
        return count;
    }

    // Hidden nodes whose parent is on show: each one a branch the toggle brings back.
    public int HiddenCount { get; }

    public int Count => nodes.Count - 1;

    public bool Has(Guid id) => id != root && nodes.ContainsKey(id);

    // Labelled or starred nodes, in tree order, for the list of marks above the tree.
    public IEnumerable<OutlineNode> Marked() => Walk().Where(n => n.Label is not null || n.Starred);

    public string Excerpt(OutlineNode node) => ExcerptOf(node);

    public string Html(Guid chosen)
    {
        var html = new StringBuilder(nodes.Count * 160);
        foreach (var child in Children(root)) Run(html, child, chosen);
        return html.ToString();
    }

    private IEnumerable<OutlineNode> Walk()
    {
        var stack = new Stack<Guid>(Enumerable.Reverse(Children(root)));
        while (stack.Count > 0)
        {
            var node = nodes[stack.Pop()];
            yield return node;
            foreach (var child in Enumerable.Reverse(Children(node.Id))) stack.Push(child);
        }
    }

    private List<Guid> Children(Guid id) =>
        nodes.TryGetValue(id, out var node)
            ? [.. node.Children.Where(c => nodes.TryGetValue(c, out var child) && (showHidden || !child.Hidden))]
            : [];

    // One list: the node, then down through single children; at a fork, one nested list per child.
    private void Run(StringBuilder html, Guid start, Guid chosen)
    {
        html.Append("<ul>");
        var id = start;
        while (true)
        {
            var node = nodes[id];
            Item(html, node, chosen);
            var children = Children(id);
            if (children.Count == 1)
            {
                html.Append("</li>");
                id = children[0];
                continue;
            }
            foreach (var child in children) Run(html, child, chosen);
            html.Append("</li>");
            break;
        }
        html.Append("</ul>");
    }

    private void Item(StringBuilder html, OutlineNode node, Guid chosen)
    {
        var on = activePath.Contains(node.Id);
        html.Append("<li class=\"").Append(node.Kind switch { NodeKind.User => "tu", NodeKind.Merge => "tm", _ => "ta" })
            .Append(on ? " on" : "").Append(node.Hidden ? " off" : "").Append("\"><label><input type=\"radio\" name=\"node\" value=\"")
            .Append(node.Id).Append('"').Append(node.Id == chosen ? " checked" : "").Append("><b>")
            .Append(Encode(node.Kind switch { NodeKind.User => you, NodeKind.Merge => merged, _ => assistant })).Append("</b> ");
        if (node.Kind == NodeKind.Assistant && node.Model is { Length: > 0 } model) html.Append("<small>").Append(Encode(model)).Append("</small> ");
        html.Append(Encode(ExcerptOf(node)));
        if (node.Starred) html.Append(" <span class=\"star\" title=\"").Append(Encode(starred)).Append("\">★<span class=\"visually-hidden\">")
            .Append(Encode(starred)).Append("</span></span>");
        if (node.Label is { } label) html.Append(" <mark>").Append(Encode(label)).Append("</mark>");
        if (node.Hidden) html.Append(" <em>").Append(Encode(hiddenMark)).Append("</em>");
        if (on) html.Append("<span class=\"visually-hidden\"> ").Append(Encode(active)).Append("</span>");
        html.Append("</label>");
    }

    private string ExcerptOf(OutlineNode node)
    {
        if (node.Excerpt.Length == 0) return node.Status == ReplyStatus.Requested ? pending : "…";
        var text = string.Join(' ', node.Excerpt.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Select(Plain).Where(w => w.Length > 0));
        if (text.Length <= ExcerptLength && node.Excerpt.Length < TreeOutline.ExcerptLength) return text;
        var cut = text.Length > ExcerptLength ? text[..ExcerptLength] : text;
        var space = cut.LastIndexOf(' ');
        return (space > ExcerptLength / 2 ? cut[..space] : cut).TrimEnd() + "…";
    }

    // A word of the excerpt without markdown's marks (emphasis, code ticks, table pipes and rules, headings, quotes):
    // a glance at the words, not the source. Cheap, as the tree lists thousands of nodes.
    private static string Plain(string word)
    {
        var trimmed = word.TrimStart('#', '>').Trim('*', '`', '|', '~');
        return trimmed.Length > 0 && trimmed.AsSpan().IndexOfAnyExcept('-', ':', '|') < 0 ? "" : trimmed;
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
