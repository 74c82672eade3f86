using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Globalization;
using Nsmt.Config;
using Nsmt.Core;

namespace Nsmt.Cli;

/// <summary>
/// Runs a stage's command line (<see cref="StageCommand"/>) and turns outcomes into the exit codes of <see cref="ExitCodes"/>.
/// </summary>
public static class StageCli
{
    /// <summary>Help width when output is not a terminal (files, pipes, tests), so wrapping never depends on where it ran.</summary>
    public const int PlainHelpWidth = 100;

    /// <summary>Shows the stack trace of an unexpected error (off by default: users get one line).</summary>
    public const string DebugVariable = "NSMT_DEBUG";

    /// <summary>Help at a fixed width when not on a terminal, and the stage's examples after it.</summary>
    internal static void ConfigureHelp(RootCommand root, string[] examples)
    {
        var help = root.Options.OfType<HelpOption>().Single();
        if (help.Action is HelpAction action)
        {
            action.MaxWidth = HelpWidth();
            help.Action = new HelpWithExamples(action, examples);
        }
    }

    /// <summary>
    /// Parses and runs. A command-line mistake is one line per problem (with the nearest real name for a misspelt
    /// option or command), a pointer to --help, and exit code 1: the full help after every typo buries the message.
    /// </summary>
    public static int Invoke(RootCommand root, string[] args)
    {
        var result = root.Parse(args);
        if (result.Errors.Count == 0 || result.Action is not ParseErrorAction)
        {
            return result.Invoke();
        }

        var command = result.CommandResult.Command;
        var name = command == root ? root.Name : $"{root.Name} {command.Name}";
        foreach (var message in ErrorMessages(result))
        {
            Console.Error.WriteLine($"{name}: error: {message}");
        }

        Console.Error.WriteLine($"Run '{name} --help' for usage.");
        return ExitCodes.Usage;
    }

    /// <summary>The parse errors, a misspelt option or command followed by the nearest real one.</summary>
    public static IEnumerable<string> ErrorMessages(ParseResult result) =>
        result.Errors.Select(e => e.Message + Suggestion(e.Message, result));

    // "Unrecognized command or argument 'chek'": name the nearest subcommand or option of the command.
    private static string Suggestion(string message, ParseResult result)
    {
        var token = result.UnmatchedTokens.FirstOrDefault(t => message.Contains($"'{t}'", StringComparison.Ordinal));
        if (token is null)
        {
            return "";
        }

        var names = result
            .CommandResult.Command.Subcommands.Select(c => c.Name)
            .Concat(OptionNames(result.CommandResult));
        return NearestName.Suggestion(token.Split('=', 2)[0], names);
    }

    /// <summary>The options a command accepts: its own and its ancestors' (recursive ones, --help, --version).</summary>
    internal static IEnumerable<string> OptionNames(CommandResult? command)
    {
        for (var c = command; c is not null; c = c.Parent as CommandResult)
        {
            foreach (var option in c.Command.Options)
            {
                if (!option.Hidden && (c == command || option.Recursive))
                {
                    yield return option.Name;
                }
            }
        }
    }

    /// <summary>
    /// Runs a stage's work. Bad input (<see cref="NsmtInputException"/>, which every library's input errors derive from,
    /// missing files, I/O errors, and what <paramref name="isBadInput"/> adds for errors raised outside our libraries,
    /// such as TorchSharp's native errors on a checkpoint that does not fit its model) is one line on
    /// stderr and exit code 2; a result that failed its check (<see cref="NsmtCheckFailedException"/>: a diverged training)
    /// is one line and exit code 3; an environment that cannot run the stage correctly (<see cref="NsmtEnvironmentException"/>:
    /// wrong engine kernels; <see cref="EnvironmentFailure"/>: a full disk or read-only file system) and anything else are
    /// one line and exit code 4 (the stack trace of the unexpected with NSMT_DEBUG=1).
    /// A describe run (<see cref="ConfigReads.DescribeVariable"/>: the pipeline asking what the stage reads) does
    /// no work: it reports <paramref name="reads"/>, the reads of the config the run would bind (none by default).
    /// </summary>
    public static int Run(
        string stage,
        Func<int> body,
        Func<Exception, bool>? isBadInput = null,
        Func<ConfigReads>? reads = null
    )
    {
        try
        {
            return ConfigReads.RequestedReport is { } report
                ? (reads?.Invoke() ?? ConfigReads.None).Report(report)
                : body();
        }
        catch (OperationCanceledException)
        {
            // 130 for SIGINT, 143 for SIGTERM (StopSignals): what shells and schedulers expect of a stopped program.
            Console.Error.WriteLine($"{stage}: cancelled");
            return StopSignals.ExitCode;
        }
        catch (NsmtCheckFailedException e)
        {
            Console.Error.WriteLine($"{stage}: error: {OneLine(e.Message)}");
            return ExitCodes.CheckFailed;
        }
        catch (NsmtEnvironmentException e)
        {
            Console.Error.WriteLine($"{stage}: error: {OneLine(e.Message)}");
            return ExitCodes.Unexpected;
        }
        catch (Exception e) when (EnvironmentFailure(e) is { } cause)
        {
            // Not the input's fault (exit 2) and not a bug: the machine's. The README's code 4, in one line.
            Console.Error.WriteLine(
                $"{stage}: error: {OneLine(cause.Message)} (the environment: free some space or write somewhere writable)"
            );
            return ExitCodes.Unexpected;
        }
        catch (Exception e) when (IsBadInput(e) || (isBadInput?.Invoke(e) ?? false))
        {
            Console.Error.WriteLine($"{stage}: error: {OneLine(Describe(e))}");
            return ExitCodes.BadInput;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"{stage}: error: unexpected {e.GetType().Name}: {OneLine(e.Message)}");
            Console.Error.WriteLine(
                Environment.GetEnvironmentVariable(DebugVariable) == "1"
                    ? e.ToString()
                    : $"(set {DebugVariable}=1 for the stack trace)"
            );
            return ExitCodes.Unexpected;
        }
    }

    /// <summary>
    /// A full disk or quota, or a read-only file system, anywhere in <paramref name="e"/>'s chain: I/O errors that no
    /// change to the input fixes. .NET reports them as <see cref="IOException"/> whose HResult is the OS error code.
    /// </summary>
    internal static IOException? EnvironmentFailure(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            if (
                x is IOException io
                && (
                    OperatingSystem.IsWindows()
                        ? (io.HResult & 0xFFFF) is 0x70 or 0x27 or 0x13 // ERROR_DISK_FULL, ERROR_HANDLE_DISK_FULL, ERROR_WRITE_PROTECT
                        : io.HResult is 28 or 30
                            || (io.HResult == 122 && OperatingSystem.IsLinux())
                            || (io.HResult == 69 && OperatingSystem.IsMacOS())
                )
            ) // ENOSPC, EROFS, EDQUOT
            {
                return io;
            }
        }

        return null;
    }

    private static bool IsBadInput(Exception e) =>
        e
            is NsmtInputException
                or FileNotFoundException
                or DirectoryNotFoundException
                or IOException
                or UnauthorizedAccessException
                or InvalidDataException;

    // .NET's "Could not find file" messages name the path; ours may not, so make sure the file is in the line.
    private static string Describe(Exception e) =>
        e switch
        {
            FileNotFoundException { FileName: { } file } when !e.Message.Contains(file, StringComparison.Ordinal) =>
                $"{file}: {e.Message}",
            _ => e.Message,
        };

    private static string OneLine(string message) =>
        NativeErrorText.WithoutBacktrace(message).ReplaceLineEndings(" ").Trim();

    private static int HelpWidth()
    {
        if (
            int.TryParse(
                Environment.GetEnvironmentVariable("NSMT_HELP_WIDTH"),
                NumberStyles.None,
                CultureInfo.InvariantCulture,
                out var width
            )
            && width > 20
        )
        {
            return width;
        }

        return Console.IsOutputRedirected ? PlainHelpWidth : Math.Max(Console.WindowWidth, 40);
    }
}
