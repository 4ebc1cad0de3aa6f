using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Sambung.Web.Features.Rendering;

// The few words the renderer writes into a message (the Copy button's labels, "Image:" before an image shown as a
// link, the state of a task list's checkbox), in the reader's language.
public sealed record RenderLabels(string Image, string CopyCode, string Copied, string TaskDone, string TaskOpen)
{
    public static RenderLabels From(IStringLocalizer text) => new(
        text["Render.Image"], text["Render.CopyCode"], text["Render.Copied"], text["Render.TaskDone"], text["Render.TaskOpen"]);

    // For callers without a localizer at hand: the same resources, in the current UI culture (the request's).
    public static RenderLabels Current => From(Resources);

    private static readonly IStringLocalizer Resources = new ResourceManagerStringLocalizerFactory(
        Options.Create(new LocalizationOptions { ResourcesPath = "Resources" }), NullLoggerFactory.Instance).Create(typeof(SharedResource));
}
