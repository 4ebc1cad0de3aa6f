using System.Globalization;
using Microsoft.Extensions.Localization;
using Sambung.Events.Prompts;

namespace Sambung.Web.Features.Prompts;

// Filling a template in: the form's values (posted as "v.<name>"), the built-ins at this moment in the reader's
// time zone and language, and the messages that say what is wrong with a malformed template.
public static class PromptRendering
{
    public const string FieldPrefix = "v.";

    public static Dictionary<string, string?> Values(IFormCollection? form, IQueryCollection? query)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (query is not null)
            foreach (var (key, value) in query)
                if (key.StartsWith(FieldPrefix, StringComparison.Ordinal)) values[key[FieldPrefix.Length..]] = value.ToString();
        if (form is not null)
            foreach (var (key, value) in form)
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
        text["Prompts.ErrorAt", error.Line, error.Column, text[$"Prompts.Error.{error.Code}", error.Name ?? ""]];
}
