using System.CommandLine;
using System.CommandLine.Parsing;
using Nsmt.Core;

namespace Nsmt.Cli;

/// <summary>The trailing <c>key=value</c> config overrides every configurable stage takes.</summary>
public static class Overrides
{
    public static Argument<string[]> Argument(string examples) =>
        new("key=value")
        {
            Description = $"config overrides, e.g. {examples}",
            Arity = ArgumentArity.ZeroOrMore,
            Validators = { Validate },
        };

    /// <summary>The overrides plus <c>key=value</c> for each option that sets a config key (later ones win).</summary>
    public static IReadOnlyList<string> With(string[]? given, params (string Key, object? Value)[] fromOptions)
    {
        var all = new List<string>(given ?? []);
        foreach (var (key, value) in fromOptions)
        {
            if (value is not null)
            {
                all.Add(FormattableString.Invariant($"{key}={value}"));
            }
        }

        return all;
    }

    // An unknown option lands here too (it is not an option of the command): say so, with the nearest real one.
    private static void Validate(ArgumentResult result)
    {
        foreach (var token in result.Tokens)
        {
            var text = token.Value;
            if (text.StartsWith('-'))
            {
                var name = text.Split('=', 2)[0];
                var known = StageCli.OptionNames(result.Parent as CommandResult);
                result.AddError(
                    $"unknown option '{ShownText.Of(name)}'{NearestName.Suggestion(ShownText.Of(name), known)}"
                );
            }
            else if (!text.Contains('=', StringComparison.Ordinal) && !text.StartsWith('~'))
            {
                result.AddError(
                    $"unexpected argument '{ShownText.Of(text)}' (overrides look like key=value, +key=value or ~key)"
                );
            }
        }
    }
}
