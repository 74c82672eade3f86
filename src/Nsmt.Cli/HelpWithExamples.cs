using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace Nsmt.Cli;

/// <summary>System.CommandLine's help followed, for the root command only, by an Examples section.</summary>
internal sealed class HelpWithExamples(HelpAction help, IReadOnlyList<string> examples) : SynchronousCommandLineAction
{
    public override int Invoke(ParseResult parseResult)
    {
        var code = help.Invoke(parseResult);
        // A subcommand's help shows its own usage; the stage's examples belong to the stage's help.
        if (examples.Count > 0 && parseResult.CommandResult.Command is RootCommand)
        {
            var output = parseResult.InvocationConfiguration.Output;
            output.WriteLine("Examples:");
            foreach (var example in examples)
            {
                output.WriteLine($"  {example}");
            }

            output.WriteLine();
        }

        return code;
    }
}
