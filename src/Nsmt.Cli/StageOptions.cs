using System.CommandLine;
using System.Globalization;

namespace Nsmt.Cli;

/// <summary>
/// The options every stage spells the same way. A stage adds the ones that apply to it; the descriptions say what
/// the option means for that stage.
/// </summary>
public static class StageOptions
{
    public static Option<string> Config(string description, bool required = false) =>
        new("--config")
        {
            Description = description,
            HelpName = "FILE",
            Required = required,
        };

    public static Option<string> Experiment(string description, bool required = false) =>
        new("--experiment")
        {
            Description = description,
            HelpName = "NAME",
            Required = required,
        };

    public static Option<string> Data(string description) =>
        new("--data") { Description = description, HelpName = "DIR" };

    public static Option<string> Output(string description, bool required = false, string helpName = "DIR") =>
        new("--output", "-o")
        {
            Description = description,
            HelpName = helpName,
            Required = required,
        };

    public static Option<int?> Seed(string description = "random seed (the same seed gives the same bytes)") =>
        WholeNumber("--seed", description, minimum: 0, "N");

    /// <summary>
    /// The most threads --threads takes: beyond the cores of any machine these stages run on, where more threads only
    /// add contention (and 1000 is a typo, not a plan).
    /// </summary>
    public const int MaxThreads = 256;

    public static Option<int?> Threads(string description) =>
        WholeNumber("--threads", description, minimum: 1, "N", maximum: MaxThreads);

    public static Option<bool> Plain() =>
        new("--plain")
        {
            Description =
                "progress as plain lines instead of a live bar (automatic when output is redirected or CI=true)",
        };

    /// <summary>Plain progress lines: asked for, or no terminal to draw a live bar on.</summary>
    public static bool PlainProgress(bool requested) =>
        requested
        || Console.IsOutputRedirected
        || string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>A non-negative integer option whose error names the option and the value given.</summary>
    public static Option<int?> WholeNumber(
        string name,
        string description,
        int minimum,
        string helpName = "N",
        int maximum = int.MaxValue
    )
    {
        var option = new Option<int?>(name) { Description = description, HelpName = helpName };
        option.CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (
                int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
                && value >= minimum
                && value <= maximum
            )
            {
                return value;
            }

            var expected = (minimum, maximum) switch
            {
                (_, < int.MaxValue) => $"a whole number from {minimum} to {maximum}",
                (0, _) => "a whole number >= 0",
                (1, _) => "a positive whole number",
                _ => $"a whole number >= {minimum}",
            };
            result.AddError($"{name} expects {expected}, got '{text}'");
            return null;
        };
        return option;
    }
}
