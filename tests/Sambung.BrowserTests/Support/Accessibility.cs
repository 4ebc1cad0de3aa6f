using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Sambung.BrowserTests.Support;

// axe-core on the page as it stands: no serious or critical violation, each one named with its elements if any.
public static class Accessibility
{
    public static async Task AssertNoSeriousViolationsAsync(this IPage page)
    {
        var results = await page.RunAxe();
        var serious = results.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, page.Url + "\n" + string.Join("\n",
            serious.Select(v => $"{v.Id}: {v.Help} ({string.Join(", ", v.Nodes.Select(n => n.Html))})")));
    }
}
