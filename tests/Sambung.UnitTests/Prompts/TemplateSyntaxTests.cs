using System.Diagnostics;
using Sambung.Events.Prompts;

namespace Sambung.UnitTests.Prompts;

public sealed class TemplateSyntaxTests
{
    private static readonly BuiltInValues Now = new("Thursday, 26 November 2026", "09:30", "Ana");

    private static string Render(string template, params (string Name, string? Value)[] values) =>
        TemplateSyntax.Parse(template).Render(values.ToDictionary(v => v.Name, v => v.Value), Now);

    private static IReadOnlyList<string> Codes(string template) => [.. TemplateSyntax.Parse(template).Errors.Select(e => e.Code)];

    [Fact]
    public void text_default_and_choice_variables_are_found_in_order_of_first_mention()
    {
        var parsed = TemplateSyntax.Parse("Write {{tone|formal|casual}} text about {{topic}} in {{language:English}}.");

        Assert.True(parsed.IsValid);
        Assert.Collection(parsed.Inputs,
            v =>
            {
                Assert.Equal(("tone", VariableKind.Choice, "formal"), (v.Name, v.Kind, v.Default));
                Assert.Equal(["formal", "casual"], v.Options);
            },
            v => Assert.Equal(("topic", VariableKind.Text, ""), (v.Name, v.Kind, v.Default)),
            v => Assert.Equal(("language", VariableKind.Text, "English"), (v.Name, v.Kind, v.Default)));
    }

    [Fact]
    public void rendering_uses_values_then_defaults_and_fills_in_the_built_ins()
    {
        const string template = "{{user_name}} on {{date}} at {{time}}: {{tone|formal|casual}} note on {{topic}} in {{language:English}}";

        Assert.Equal("Ana on Thursday, 26 November 2026 at 09:30: casual note on tea in English",
            Render(template, ("tone", "casual"), ("topic", "tea")));
        Assert.Equal("Ana on Thursday, 26 November 2026 at 09:30: formal note on  in English", Render(template));
        Assert.DoesNotContain(TemplateSyntax.Parse(template).Inputs, v => v.Kind == VariableKind.BuiltIn);
    }

    [Fact]
    public void a_choice_that_is_not_an_option_takes_the_first_option()
    {
        Assert.Equal("formal", Render("{{tone|formal|casual}}", ("tone", "<script>")));
    }

    [Fact]
    public void values_are_inserted_as_they_are_and_never_expanded_again()
    {
        Assert.Equal("Say {{secret}} and {{date}}", Render("Say {{what}}", ("what", "{{secret}} and {{date}}")));
    }

    [Fact]
    public void the_same_variable_may_appear_many_times_and_one_mention_may_define_it()
    {
        var parsed = TemplateSyntax.Parse("{{name}} and {{Name:Budi}} and {{NAME}}");

        Assert.True(parsed.IsValid);
        var variable = Assert.Single(parsed.Inputs);
        Assert.Equal(("name", "Budi"), (variable.Name, variable.Default));
        Assert.Equal("Budi and Budi and Budi", parsed.Render(new Dictionary<string, string?>(), Now));
        Assert.Equal("Ani and Ani and Ani", Render("{{name}} and {{Name:Budi}} and {{NAME}}", ("NAME", "Ani")));
    }

    [Fact]
    public void repeating_the_same_definition_is_fine_but_conflicting_ones_are_errors()
    {
        Assert.Empty(Codes("{{a:x}} {{a:x}} {{b|1|2}} {{b|1|2}}"));
        Assert.Equal([TemplateErrors.Conflict], Codes("{{a:x}} {{a:y}}"));
        Assert.Equal([TemplateErrors.Conflict], Codes("{{a:x}} {{a|x|y}}"));
        Assert.Equal([TemplateErrors.Conflict], Codes("{{a|x|y}} {{a|y|x}}"));
    }

    [Theory]
    [InlineData("Hello {{name", TemplateErrors.Unclosed)]
    [InlineData("{{", TemplateErrors.Unclosed)]
    [InlineData("{{}}", TemplateErrors.EmptyName)]
    [InlineData("{{   }}", TemplateErrors.EmptyName)]
    [InlineData("{{:default}}", TemplateErrors.EmptyName)]
    [InlineData("{{|a|b}}", TemplateErrors.EmptyName)]
    [InlineData("{{tone|}}", TemplateErrors.EmptyChoice)]
    [InlineData("{{tone| | }}", TemplateErrors.EmptyChoice)]
    [InlineData("{{na<me}}", TemplateErrors.InvalidName)]
    [InlineData("{{\"onmouseover=alert(1)}}", TemplateErrors.InvalidName)]
    [InlineData("{{date:yesterday}}", TemplateErrors.BuiltInWithValue)]
    [InlineData("{{user_name|a|b}}", TemplateErrors.BuiltInWithValue)]
    public void malformed_placeholders_are_errors_not_exceptions(string template, string code)
    {
        Assert.Equal([code], Codes(template));
    }

    [Fact]
    public void nested_braces_are_an_error_and_the_inner_placeholder_is_still_read()
    {
        var parsed = TemplateSyntax.Parse("{{outer {{inner}} }}");

        Assert.Equal([TemplateErrors.Nested], parsed.Errors.Select(e => e.Code));
        Assert.Equal("inner", Assert.Single(parsed.Variables).Name);
    }

    [Fact]
    public void errors_say_where_they_are_by_line_and_column()
    {
        var error = Assert.Single(TemplateSyntax.Parse("first line\nsecond {{ok}} and {{bad").Errors);

        Assert.Equal((TemplateErrors.Unclosed, 2, 19), (error.Code, error.Line, error.Column));
    }

    [Fact]
    public void text_without_placeholders_and_lone_braces_are_literal()
    {
        Assert.Equal("a } b }} c { d", Render("a } b }} c { d"));
        Assert.Equal("json: {\"a\": 1}", Render("json: {\"a\": 1}"));
        Assert.Equal("", Render(""));
        Assert.True(TemplateSyntax.Parse(null).IsValid);
    }

    [Fact]
    public void too_many_variables_and_too_long_names_or_defaults_are_refused()
    {
        var many = string.Concat(Enumerable.Range(0, TemplateSyntax.MaxVariables + 1).Select(i => $"{{{{v{i}}}}}"));
        Assert.Equal([TemplateErrors.TooManyVariables], Codes(many));
        Assert.Equal([TemplateErrors.InvalidName], Codes("{{" + new string('n', TemplateSyntax.MaxNameLength + 1) + "}}"));
        Assert.Equal([TemplateErrors.ValueTooLong], Codes("{{a:" + new string('x', TemplateSyntax.MaxValueLength + 1) + "}}"));
        var error = Assert.Single(TemplateSyntax.Parse("{{" + new string('n', 5000) + "}}").Errors);
        Assert.True(error.Name!.Length <= TemplateSyntax.MaxNameLength + 1, "a hostile name is shortened in the message");
    }

    [Fact]
    public void huge_and_hostile_input_is_parsed_in_linear_time_with_a_bounded_error_list()
    {
        var inputs = new[]
        {
            string.Concat(Enumerable.Repeat("{{", 200_000)),
            string.Concat(Enumerable.Repeat("{{a}}", 200_000)),
            string.Concat(Enumerable.Repeat("{{a:", 100_000)) + string.Concat(Enumerable.Repeat("}}", 100_000)),
            string.Concat(Enumerable.Repeat("{", 400_001)),
            string.Concat(Enumerable.Repeat("}}{{|", 100_000)),
            new string('x', 1_000_000),
        };
        foreach (var input in inputs)
        {
            var clock = Stopwatch.StartNew();
            var parsed = TemplateSyntax.Parse(input);
            Assert.True(parsed.Errors.Count <= TemplateSyntax.MaxErrors);
            // Linear: a million characters take milliseconds; quadratic would take minutes. Generous for a busy CI.
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"{input[..10]}…: {clock.Elapsed}");
        }
        Assert.Equal(200_000, TemplateSyntax.Parse(string.Concat(Enumerable.Repeat("{{a}}", 200_000))).Parts.Count);
    }

    [Fact]
    public void a_template_with_errors_keeps_its_first_errors_and_never_throws_on_random_input()
    {
        var random = new Random(9);
        const string alphabet = "{}|:ab \n_-.<>\"";
        for (var n = 0; n < 2000; n++)
        {
            var text = new string(Enumerable.Range(0, random.Next(0, 40)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
            var parsed = TemplateSyntax.Parse(text);
            if (parsed.IsValid) parsed.Render(new Dictionary<string, string?>(), Now);
        }
    }
}
