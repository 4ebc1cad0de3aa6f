using System.Globalization;
using Microsoft.Extensions.Localization;
using Sambung.Events.Prompts;

namespace Sambung.Web.Features.Prompts;

// Filling a template in: the form's values (posted as "v.<name>"), the built-ins at this moment in the reader's
// time zone and language, and the messages that say what is wrong with a malformed template.
public static class PromptRendering
{
    public const string FieldPrefix = "v.";

    public static Dictionary<string, string?> Values(IEnumerable<KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues>> fields)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in fields)
            if (key.StartsWith(FieldPrefix, StringComparison.Ordinal)) values[key[FieldPrefix.Length..]] = value.ToString();
        return values;
    }

    public static BuiltInValues BuiltIns(HttpRequest request, string userName, DateTimeOffset now)
    {
        var zone = request.Cookies["tz"] is { } tz && TimeZoneInfo.TryFindSystemTimeZoneById(tz, out var found) ? found : TimeZoneInfo.Utc;
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var culture = CultureInfo.CurrentCulture;
        return new(local.ToString("D", culture), local.ToString("t", culture), userName);
    }

    public static string Describe(TemplateError error, IStringLocalizer text) =>
        // Without a name the message is not formatted, so its literal "{{" survives.
        text["Prompts.ErrorAt", error.Line, error.Column,
            error.Name is null ? text[$"Prompts.Error.{error.Code}"].Value : text[$"Prompts.Error.{error.Code}", error.Name].Value];
}
