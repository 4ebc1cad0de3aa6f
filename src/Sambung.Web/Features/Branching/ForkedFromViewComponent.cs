using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ViewComponents;
using Microsoft.Extensions.Localization;
using Sambung.Projections.Conversations;
using Sambung.Web.Features.Accounts;

namespace Sambung.Web.Features.Branching;

// "Forked from <title>" under a fork's title, linking to the source at the node the copy ended at. The source is
// looked up as the reader's own (the title is read now, never copied into the fork's events, so a purge of the
// source leaves nothing behind); a source that is gone says so without a link.
public sealed class ForkedFromViewComponent(IQuerySession session, CurrentUser user, IStringLocalizer<SharedResource> text) : ViewComponent
{
    // Ids only: MVC logs a view component's arguments at Debug, and a tree would print its title (message text).
    public async Task<IViewComponentResult> InvokeAsync(Guid? forkedFrom, Guid? forkedFromNode)
    {
        if (forkedFrom is not { } sourceId) return Content("");
        var source = await session.FindTreeAsync(sourceId, user.Id, HttpContext.RequestAborted);
        var html = source is null
            ? $"<p class=\"forked-from\">{Encode(text["Tree.Fork.SourceGone"])}</p>"
            : $"<p class=\"forked-from\">{Encode(text["Tree.Fork.From"])} <a href=\"/c/{source.Id}?at={forkedFromNode}\">{Encode(source.Title)}</a></p>";
        return new HtmlContentViewComponentResult(new Microsoft.AspNetCore.Html.HtmlString(html));
    }

    private static string Encode(string value) => System.Net.WebUtility.HtmlEncode(value);
}
