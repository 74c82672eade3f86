using System.CommandLine;
using Nsmt.Cli;
using Nsmt.Core;

namespace Nsmt.Stages.Tests;

/// <summary>The shared convention in-process: exit codes of outcomes and exceptions, overrides, the common options.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class StageCliTests
{
    private static (int Code, string Error) Run(Func<int> body, Func<Exception, bool>? isBadInput = null)
    {
        var saved = Console.Error;
        using var error = new StringWriter();
        Console.SetError(error);
        try
        {
            return (StageCli.Run("Stage", body, isBadInput), error.ToString());
        }
        finally
        {
            Console.SetError(saved);
        }
    }

    [Fact]
    public void Outcomes_map_to_the_documented_exit_codes()
    {
        Assert.Equal((0, ""), Run(() => ExitCodes.Ok));
        Assert.Equal((3, ""), Run(() => ExitCodes.CheckFailed));
        var (code, error) = Run(() => throw new NsmtInputException("a.yaml", "seed", "expected an integer"));
        Assert.Equal(2, code);
        Assert.Equal("Stage: error: a.yaml: seed: expected an integer\n", error.ReplaceLineEndings("\n"));
        Assert.Equal(130, Run(() => throw new OperationCanceledException()).Code);
    }

    [Fact]
    public void A_missing_file_is_bad_input_and_its_message_names_the_file()
    {
        var (code, error) = Run(() => throw new FileNotFoundException("not there", "/data/x.wav"));
        Assert.Equal(2, code);
        Assert.Equal("Stage: error: /data/x.wav: not there\n", error.ReplaceLineEndings("\n"));
        Assert.Equal(2, Run(() => throw new DirectoryNotFoundException("no such directory: d")).Code);
    }

    [Fact]
    public void Library_input_errors_are_bad_input_when_the_stage_says_so()
    {
        Assert.Equal(4, Run(() => throw new ArgumentException("x")).Code);
        Assert.Equal(2, Run(() => throw new ArgumentException("x"), e => e is ArgumentException).Code);
    }

    [Fact]
    public void A_full_disk_is_an_environment_failure_exit_4_in_one_line()
    {
        if (!File.Exists("/dev/full"))
        {
            return; // Linux's always-full device; elsewhere the classification is by the OS's own error codes
        }
        // A real ENOSPC, as a write to a full disk raises it (through AtomicFile's copy of the error).
        var (code, error) = Run(() =>
        {
            using var full = new FileStream("/dev/full", FileMode.Open, FileAccess.Write);
            full.Write(new byte[1 << 16]);
            full.Flush();
            return ExitCodes.Ok;
        });
        Assert.Equal(ExitCodes.Unexpected, code);
        var line = Assert.Single(error.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n'));
        Assert.StartsWith("Stage: error: ", line, StringComparison.Ordinal);
        Assert.EndsWith(
            "(the environment: free some space or write somewhere writable)",
            line,
            StringComparison.Ordinal
        );
        Assert.Equal(4, Run(() => throw new IOException("Read-only file system", 30)).Code);
        Assert.Equal(2, Run(() => throw new IOException("some other I/O error")).Code);
    }

    [Fact]
    public void An_unexpected_error_is_one_line_without_a_stack_trace()
    {
        var (code, error) = Run(() => throw new InvalidOperationException("broken\ninvariant"));
        Assert.Equal(ExitCodes.Unexpected, code);
        Assert.Equal(
            "Stage: error: unexpected InvalidOperationException: broken invariant\n(set NSMT_DEBUG=1 for the stack trace)\n",
            error.ReplaceLineEndings("\n")
        );
    }

    private static StageCommand Command(
        out Argument<string[]> overrides,
        out Option<int?> seed,
        out Option<int?> threads
    )
    {
        overrides = Overrides.Argument("a=1");
        seed = StageOptions.Seed();
        threads = StageOptions.Threads("threads");
        return new StageCommand("test")
        {
            StageOptions.Config("config"),
            seed,
            threads,
            StageOptions.Plain(),
            overrides,
        };
    }

    [Fact]
    public void Overrides_are_trailing_key_values_and_options_that_set_keys_come_last()
    {
        var command = Command(out var overrides, out var seed, out var threads);
        var parse = command.Parse(["--config", "c.yaml", "a.b=1", "--seed", "7", "+c=x"]);
        Assert.Empty(parse.Errors);
        Assert.Equal(
            ["a.b=1", "+c=x", "seed=7"],
            Overrides.With(parse.GetValue(overrides), ("seed", parse.GetValue(seed)), ("t", parse.GetValue(threads)))
        );
    }

    [Theory]
    [InlineData("unknown option '--sed' (did you mean '--seed'?)", "--sed", "1")]
    [InlineData("unexpected argument 'stray' (overrides look like key=value, +key=value or ~key)", "stray")]
    [InlineData("--seed expects a whole number >= 0, got '-1'", "--seed", "-1")]
    [InlineData("--threads expects a whole number from 1 to 256, got '0'", "--threads", "0")]
    public void Mistakes_are_parse_errors(string message, params string[] args)
    {
        var parse = Command(out _, out _, out _).Parse(args);
        Assert.Contains(parse.Errors, e => e.Message == message);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    public const string Name = "console";
}
