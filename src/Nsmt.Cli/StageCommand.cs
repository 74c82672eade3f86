using System.CommandLine;

namespace Nsmt.Cli;

/// <summary>
/// A stage's root command: System.CommandLine's --help (with an Examples section, at a fixed width when not on a
/// terminal) and --version (the assembly's informational version), plus the options and subcommands the stage adds.
/// </summary>
public sealed class StageCommand : RootCommand
{
    public StageCommand(string description, params string[] examples)
        : base(description)
    {
        StageCli.ConfigureHelp(this, examples);
    }
}
