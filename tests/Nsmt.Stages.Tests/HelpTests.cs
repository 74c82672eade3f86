using System.Text.RegularExpressions;
using Nsmt.Tests.Snapshots;

namespace Nsmt.Stages.Tests;

/// <summary>Every stage's --help, as a researcher sees it: one snapshot per stage and subcommand, 100 columns wide.</summary>
public sealed class HelpTests
{
    // Help and messages hold no times; "90s" in a description is text, not a duration to scrub.
    private static readonly SnapshotSettings Verbatim = new() { ScrubDurations = false, ScrubTimestamps = false };

    public static TheoryData<string, string[]> Helps() =>
        new()
        {
            { "Generate", [] },
            { "Train", [] },
            { "Evaluate", [] },
            { "Diagram", [] },
            { "Report", [] },
            { "AmpTrain", [] },
            { "AmpTrain", ["export"] },
            { "Amp", [] },
            { "Amp", ["capture"] },
            { "Amp", ["reamp"] },
            { "Amp", ["check"] },
            { "Amp", ["process"] },
            { "Amp", ["evaluate"] },
            { "nsmt-pipeline", [] },
            { "nsmt-pipeline", ["run"] },
        };

    [Theory]
    [MemberData(nameof(Helps))]
    public void Help(string stage, string[] command)
    {
        var result = StageProgram.Run(stage, [.. command, "--help"]);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Error);
        Snapshot.Verify(result.Output, Verbatim, name: string.Join('-', [stage, .. command]));
    }

    [Theory]
    [InlineData("Generate")]
    [InlineData("Train")]
    [InlineData("Evaluate")]
    [InlineData("Diagram")]
    [InlineData("Report")]
    [InlineData("AmpTrain")]
    [InlineData("Amp")]
    [InlineData("nsmt-pipeline")]
    public void Every_stage_has_examples_the_common_options_and_a_version(string stage)
    {
        var help = StageProgram.Run(stage, "--help").Output;
        Assert.Contains("\nExamples:\n  " + stage + " ", help, StringComparison.Ordinal);
        Assert.Contains("--version", help, StringComparison.Ordinal);
        var version = StageProgram.Run(stage, "--version");
        Assert.Equal(0, version.ExitCode);
        Assert.Matches(new Regex(@"^\d+\.\d+\.\d+\S*\n$"), version.Output.ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData("Generate", "--config", "--output", "--seed", "--threads", "--plain")]
    [InlineData("Train", "--experiment", "--output", "--data", "--seed", "--threads", "--plain")]
    [InlineData("Evaluate", "--data", "--output")]
    [InlineData("Diagram", "--experiment", "--output")]
    [InlineData("Report", "--experiment", "--output", "--data", "--seed", "--threads", "--plain")]
    [InlineData("AmpTrain", "--config", "--output", "--seed", "--threads", "--plain")]
    public void Common_options_have_one_spelling(string stage, params string[] options)
    {
        var help = StageProgram.Run(stage, "--help").Output;
        Assert.All(options, o =>
            Assert.Matches(new Regex($@"^\s+(-o, )?{Regex.Escape(o)}( <|\s)", RegexOptions.Multiline), help)
        );
        Assert.DoesNotContain("--run-dir", help, StringComparison.Ordinal);
    }
}
