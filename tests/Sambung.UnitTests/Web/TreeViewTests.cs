using Microsoft.Extensions.Localization;
using Sambung.Events.Conversations;
using Sambung.Projections.Conversations;
using Sambung.Web.Features.Branching;

namespace Sambung.UnitTests.Web;

public sealed class TreeViewTests
{
    // The key itself as the text: enough to see what the view asked for.
    private sealed class Keys : IStringLocalizer
    {
        public LocalizedString this[string name] => new(name, name);
        public LocalizedString this[string name, params object[] arguments] => new(name, name);
        public IEnumerable<LocalizedString> GetAllStrings(bool includeParentCultures) => [];
    }

    private static readonly Guid Root = Guid.NewGuid();

    private static OutlineNode Node(Guid id, Guid? parent, NodeKind kind, string text, params Guid[] children) =>
        new() { Id = id, ParentId = parent, Kind = kind, Excerpt = text, Children = [.. children], Model = kind == NodeKind.Assistant ? "gpt" : null };

    [Fact]
    public void a_run_without_alternatives_is_one_list_and_each_alternative_starts_a_nested_one()
    {
        var (m, r, a, ra, b) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        OutlineNode[] outline =
        [
            Node(Root, null, NodeKind.Root, "", m), Node(m, Root, NodeKind.User, "Hello", r), Node(r, m, NodeKind.Assistant, "Hi", a, b),
            Node(a, r, NodeKind.User, "Plan <A>", ra), Node(ra, a, NodeKind.Assistant, "Answer A"), Node(b, r, NodeKind.User, "Plan B") with { Hidden = true, Starred = true },
        ];

        var shown = new TreeView(outline, Root, ra, showHidden: false, new Keys());
        var html = shown.Html(ra);

        Assert.Equal(1, shown.HiddenCount);
        Assert.DoesNotContain("Plan B", html);
        // Hello and Hi in one list; the one visible alternative continues it.
        Assert.StartsWith($"<ul><li class=\"tu on\"><label><input type=\"radio\" name=\"node\" value=\"{m}\"><b>Message.You</b> Hello", html);
        Assert.Contains("Plan &lt;A&gt;", html);
        Assert.Contains($"value=\"{ra}\" checked>", html);
        Assert.Equal(1, html.Split("<ul>").Length - 1);

        var all = new TreeView(outline, Root, ra, showHidden: true, new Keys()).Html(ra);
        Assert.Contains("Plan B", all);
        Assert.Contains("Tree.HiddenMark", all);
        Assert.Equal(3, all.Split("<ul>").Length - 1);
        Assert.Contains("class=\"star\"", all);
    }

    [Fact]
    public void excerpts_are_cut_on_a_word_and_a_running_reply_says_so()
    {
        var (m, r) = (Guid.NewGuid(), Guid.NewGuid());
        var longText = string.Join(' ', Enumerable.Repeat("word", 30));
        OutlineNode[] outline =
        [
            Node(Root, null, NodeKind.Root, "", m), Node(m, Root, NodeKind.User, longText, r),
            Node(r, m, NodeKind.Assistant, "") with { Status = ReplyStatus.Requested },
        ];
        var view = new TreeView(outline, Root, r, false, new Keys());

        var excerpt = view.Excerpt(outline[1]);

        Assert.EndsWith("word…", excerpt);
        Assert.True(excerpt.Length <= TreeView.ExcerptLength + 1);
        Assert.Equal("Tree.Pending", view.Excerpt(outline[2]));
    }

    [Fact]
    public void excerpts_show_the_words_without_markdowns_marks()
    {
        var (m, r) = (Guid.NewGuid(), Guid.NewGuid());
        OutlineNode[] outline =
        [
            Node(Root, null, NodeKind.Root, "", m), Node(m, Root, NodeKind.User, "## A **bold** `snake_case` idea", r),
            Node(r, m, NodeKind.Assistant, "| Island | Known for |\n|---|:---:|\n| Bali | temples |"),
        ];
        var view = new TreeView(outline, Root, r, false, new Keys());

        Assert.Equal("A bold snake_case idea", view.Excerpt(outline[1]));
        Assert.Equal("Island Known for Bali temples", view.Excerpt(outline[2]));
    }
}
