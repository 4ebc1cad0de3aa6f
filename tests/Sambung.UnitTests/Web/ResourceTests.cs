using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Sambung.UnitTests.Web;

// Every string a user sees comes from the resources, in English and Indonesian alike.
public sealed partial class ResourceTests
{
    private static readonly string WebProject = Path.Combine(RepositoryRoot(), "src", "Sambung.Web");

    private static Dictionary<string, string> Load(string file) =>
        XDocument.Load(Path.Combine(WebProject, "Resources", file)).Root!.Elements("data")
            .ToDictionary(d => d.Attribute("name")!.Value, d => d.Element("value")!.Value);

    [Fact]
    public void english_and_indonesian_have_the_same_keys_and_no_empty_or_untranslated_values()
    {
        var en = Load("SharedResource.resx");
        var id = Load("SharedResource.id.resx");

        Assert.Equal(en.Keys.Order(), id.Keys.Order());
        Assert.All(en.Concat(id), pair => Assert.False(string.IsNullOrWhiteSpace(pair.Value), pair.Key));
        var same = en.Where(pair => id[pair.Key] == pair.Value && pair.Value.Length > 12).Select(pair => pair.Key).ToList();
        Assert.True(same.Count == 0, "Not translated: " + string.Join(", ", same));
    }

    [Fact]
    public void every_key_the_code_asks_for_exists()
    {
        var en = Load("SharedResource.resx");
        var used = Directory.EnumerateFiles(WebProject, "*.*", SearchOption.AllDirectories)
            .Where(f => (f.EndsWith(".cs") || f.EndsWith(".cshtml")) && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .SelectMany(f => KeyUse().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value))
            .Where(k => !k.Contains('{'))
            .ToHashSet();

        Assert.NotEmpty(used);
        var missing = used.Where(k => !en.ContainsKey(k)).ToList();
        Assert.True(missing.Count == 0, "Missing resources: " + string.Join(", ", missing));
    }

    [Theory]
    [InlineData("Refusal.")]
    [InlineData("Reply.Error.")]
    [InlineData("Reply.Ended.")]
    [InlineData("SignIn.")]
    [InlineData("Register.")]
    public void every_computed_key_family_is_complete(string prefix)
    {
        var en = Load("SharedResource.resx");
        var expected = prefix switch
        {
            "Refusal." => typeof(Sambung.Events.Refusals).GetFields().Select(f => (string)f.GetValue(null)!).Append("Conflict"),
            "Reply.Error." => Sambung.Web.Features.Streaming.ReplyErrorKinds.All,
            "SignIn." => Enum.GetNames<Sambung.Web.Features.Accounts.SignInOutcome>().Where(s => s != "SignedIn"),
            "Register." => Enum.GetNames<Sambung.Web.Features.Accounts.RegisterOutcome>().Where(s => s is not ("Registered" or "Invalid")),
            _ => Enum.GetNames<Sambung.Events.Conversations.ReplyStatus>().Where(s => s != "None"),
        };
        var missing = expected.Where(k => !en.ContainsKey(prefix + k)).ToList();
        Assert.True(missing.Count == 0, "Missing: " + string.Join(", ", missing.Select(k => prefix + k)));
    }

    [GeneratedRegex("""(?:\bT|text)\["([A-Za-z][A-Za-z0-9.\-]+)"\]""")]
    private static partial Regex KeyUse();

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Sambung.sln"))) return dir.FullName;
        throw new InvalidOperationException("Sambung.sln not found");
    }
}
