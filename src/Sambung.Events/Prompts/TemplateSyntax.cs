using System.Text;

namespace Sambung.Events.Prompts;

public enum VariableKind { Text, Choice, BuiltIn }

// One variable a template asks for. A text variable has a default (maybe empty); a choice has its options (the
// first is the default); a built-in ({{date}}, {{time}}, {{user_name}}) is filled in by the server.
public sealed record TemplateVariable(string Name, VariableKind Kind, string Default, IReadOnlyList<string> Options);

// Where a template is malformed, by line and column (1-based), with a code the web layer turns into a message.
public sealed record TemplateError(string Code, int Line, int Column, string? Name = null);

public static class TemplateErrors
{
    public const string Unclosed = "Unclosed";
    public const string Nested = "Nested";
    public const string EmptyName = "EmptyName";
    public const string InvalidName = "InvalidName";
    public const string EmptyChoice = "EmptyChoice";
    public const string Conflict = "Conflict";
    public const string BuiltInWithValue = "BuiltInWithValue";
    public const string TooManyVariables = "TooManyVariables";
    public const string ValueTooLong = "ValueTooLong";
}

// The values of the built-in variables at the moment a template is used.
public sealed record BuiltInValues(string Date, string Time, string UserName);

// A parsed template: literal text and placeholders in order, the variables it asks for (first mention first), and
// what is wrong with it. A template with errors is never rendered: saving it is refused with the errors listed.
public sealed record ParsedTemplate(IReadOnlyList<ParsedTemplate.Part> Parts, IReadOnlyList<TemplateVariable> Variables,
    IReadOnlyList<TemplateError> Errors)
{
    public sealed record Part(string Text, bool IsVariable);

    public bool IsValid => Errors.Count == 0;

    // The variables a person fills in (built-ins are not asked for).
    public IReadOnlyList<TemplateVariable> Inputs => [.. Variables.Where(v => v.Kind != VariableKind.BuiltIn)];

    // The template with every placeholder replaced. A missing value takes the default; a choice that is not one of
    // the options takes the first option; values are used as they are (no placeholder inside a value is expanded).
    public string Render(IReadOnlyDictionary<string, string?> values, BuiltInValues builtIns)
    {
        var byName = Variables.ToDictionary(v => v.Name, StringComparer.OrdinalIgnoreCase);
        var given = new Dictionary<string, string?>(values, StringComparer.OrdinalIgnoreCase);
        var text = new StringBuilder();
        foreach (var part in Parts)
        {
            if (!part.IsVariable)
            {
                text.Append(part.Text);
                continue;
            }
            var variable = byName[part.Text];
            given.TryGetValue(variable.Name, out var value);
            text.Append(variable.Kind switch
            {
                VariableKind.BuiltIn => BuiltIn(variable.Name, builtIns),
                VariableKind.Choice => value is not null && variable.Options.Contains(value) ? value : variable.Default,
                _ => value is null || value.Length > TemplateSyntax.MaxValueLength ? variable.Default : value,
            });
        }
        return text.ToString();
    }

    private static string BuiltIn(string name, BuiltInValues values) => name.ToLowerInvariant() switch
    {
        "date" => values.Date,
        "time" => values.Time,
        _ => values.UserName,
    };
}

// The placeholder language of prompt templates:
//   {{name}}            a text field
//   {{name:default}}    a text field filled in with "default"
//   {{name|a|b|c}}      a choice between a, b and c (a first)
//   {{date}} {{time}} {{user_name}}   filled in by the server
// Names are letters, digits, spaces, "_", "-" and "."; case does not matter ({{Topic}} and {{topic}} are one
// variable). The same variable may appear many times; only one mention may define it (or all say the same).
// The scan is linear and never throws, whatever the input: a template is something people paste.
public static class TemplateSyntax
{
    public const int MaxNameLength = 64;
    public const int MaxVariables = 50;
    public const int MaxOptions = 50;
    public const int MaxValueLength = 10_000;
    public const int MaxErrors = 20;

    public static readonly IReadOnlyList<string> BuiltInNames = ["date", "time", "user_name"];

    public static ParsedTemplate Parse(string? template)
    {
        var source = template ?? "";
        var parts = new List<ParsedTemplate.Part>();
        var variables = new List<TemplateVariable>();
        var defined = new HashSet<string>(StringComparer.OrdinalIgnoreCase); // mentions that gave a default or options
        var errors = new List<TemplateError>();
        var literal = new StringBuilder();

        void Error(string code, int at, string? name = null)
        {
            if (errors.Count < MaxErrors) errors.Add(Locate(source, code, at, name));
        }

        var i = 0;
        while (i < source.Length)
        {
            if (!Opens(source, i))
            {
                literal.Append(source[i++]);
                continue;
            }
            var (close, nested) = FindEnd(source, i + 2);
            if (nested >= 0)
            {
                Error(TemplateErrors.Nested, i);
                literal.Append(source, i, nested - i);
                i = nested; // the inner placeholder is read on its own
                continue;
            }
            if (close < 0)
            {
                Error(TemplateErrors.Unclosed, i);
                literal.Append(source, i, source.Length - i);
                break;
            }

            var inner = source.Substring(i + 2, close - i - 2);
            if (Read(inner) is { } read)
            {
                if (read.Error is not null) Error(read.Error, i, read.Variable.Name);
                else if (Merge(variables, defined, read.Variable, read.Defines) is { } problem) Error(problem, i, read.Variable.Name);
                else
                {
                    if (literal.Length > 0) parts.Add(new(literal.ToString(), false));
                    literal.Clear();
                    parts.Add(new(variables.First(v => string.Equals(v.Name, read.Variable.Name, StringComparison.OrdinalIgnoreCase)).Name, true));
                }
            }
            i = close + 2;
        }
        if (literal.Length > 0) parts.Add(new(literal.ToString(), false));
        return new(parts, variables, errors);
    }

    private static bool Opens(string s, int i) => s[i] == '{' && i + 1 < s.Length && s[i + 1] == '{';

    // The "}}" that closes a placeholder opened before `from`, or the "{{" that opens another one first.
    private static (int Close, int Nested) FindEnd(string s, int from)
    {
        for (var j = from; j + 1 < s.Length; j++)
        {
            if (s[j] == '}' && s[j + 1] == '}') return (j, -1);
            if (s[j] == '{' && s[j + 1] == '{') return (-1, j);
        }
        return (-1, -1);
    }

    private sealed record Reading(TemplateVariable Variable, bool Defines, string? Error);

    private static Reading? Read(string inner)
    {
        string name;
        if (inner.Contains('|'))
        {
            var pieces = inner.Split('|');
            name = pieces[0].Trim();
            var options = pieces.Skip(1).Select(o => o.Trim()).Where(o => o.Length > 0).Distinct(StringComparer.Ordinal).ToList();
            var choice = new TemplateVariable(name, VariableKind.Choice, options.FirstOrDefault() ?? "", options);
            if (NameProblem(name) is { } bad) return new(choice, true, bad);
            if (IsBuiltIn(name)) return new(choice, true, TemplateErrors.BuiltInWithValue);
            if (options.Count == 0) return new(choice, true, TemplateErrors.EmptyChoice);
            if (options.Count > MaxOptions || options.Any(o => o.Length > MaxValueLength)) return new(choice, true, TemplateErrors.ValueTooLong);
            return new(choice, true, null);
        }
        var colon = inner.IndexOf(':');
        name = (colon < 0 ? inner : inner[..colon]).Trim();
        var fallback = colon < 0 ? "" : inner[(colon + 1)..].Trim();
        var builtIn = IsBuiltIn(name);
        var variable = new TemplateVariable(builtIn ? name.ToLowerInvariant() : name, builtIn ? VariableKind.BuiltIn : VariableKind.Text, fallback, []);
        if (NameProblem(name) is { } problem) return new(variable, colon >= 0, problem);
        if (builtIn && colon >= 0) return new(variable, true, TemplateErrors.BuiltInWithValue);
        if (fallback.Length > MaxValueLength) return new(variable, true, TemplateErrors.ValueTooLong);
        return new(variable, colon >= 0, null);
    }

    private static bool IsBuiltIn(string name) => BuiltInNames.Contains(name, StringComparer.OrdinalIgnoreCase);

    private static string? NameProblem(string name)
    {
        if (name.Length == 0) return TemplateErrors.EmptyName;
        if (name.Length > MaxNameLength) return TemplateErrors.InvalidName;
        return name.All(c => char.IsLetterOrDigit(c) || c is '_' or '-' or '.' or ' ') ? null : TemplateErrors.InvalidName;
    }

    // A second mention of a variable: a bare {{name}} uses it; a definition must agree with any earlier one.
    private static string? Merge(List<TemplateVariable> variables, HashSet<string> defined, TemplateVariable next, bool defines)
    {
        var index = variables.FindIndex(v => string.Equals(v.Name, next.Name, StringComparison.OrdinalIgnoreCase));
        if (index < 0)
        {
            if (variables.Count >= MaxVariables) return TemplateErrors.TooManyVariables;
            variables.Add(next);
            if (defines) defined.Add(next.Name);
            return null;
        }
        if (!defines) return null;
        var earlier = variables[index];
        if (!defined.Contains(earlier.Name))
        {
            variables[index] = next with { Name = earlier.Name };
            defined.Add(earlier.Name);
            return null;
        }
        var same = earlier.Kind == next.Kind && earlier.Default == next.Default && earlier.Options.SequenceEqual(next.Options);
        return same ? null : TemplateErrors.Conflict;
    }

    private static TemplateError Locate(string source, string code, int at, string? name)
    {
        var line = 1;
        var lineStart = 0;
        for (var k = 0; k < at && k < source.Length; k++)
            if (source[k] == '\n')
            {
                line++;
                lineStart = k + 1;
            }
        var shown = name is { Length: > MaxNameLength } ? name[..MaxNameLength] + "…" : name;
        return new(code, line, at - lineStart + 1, shown);
    }
}
