namespace Sambung.Web.Features.Chats;

// The composer carries the stream version the page last saw (optimistic concurrency). When something the page
// did not post moves the version on (a reply ending), the new version is swapped in out of band.
public static class ComposerVersion
{
    public const string ElementId = "composer-version";

    public static string OutOfBand(long version) =>
        $"<input type=\"hidden\" id=\"{ElementId}\" name=\"ExpectedVersion\" value=\"{version}\" hx-swap-oob=\"true\">";
}
