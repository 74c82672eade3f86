using System.Diagnostics;

namespace Nsmt.Stages.Tests;

/// <summary>Runs a stage program (its DLL is copied next to the tests) from the repository root, as the pipeline does.</summary>
internal static class StageProgram
{
    public sealed record Result(int ExitCode, string Output, string Error);

    public static string RepositoryRoot { get; } = FindRoot();

    public static Result Run(string stage, params string[] args)
    {
        using var process = Process.Start(StartInfo(stage, args))!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return new Result(process.ExitCode, output, error.Result);
    }

    /// <summary>Starts a stage without waiting (to signal it); its output is read and dropped so it never blocks.</summary>
    public static Process Start(string stage, params string[] args)
    {
        var process = Process.Start(StartInfo(stage, args, defaultInterrupt: true))!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>
    /// How a stage is started from the repository root, its standard output and error redirected. With
    /// <paramref name="defaultInterrupt"/> (tests that send SIGINT) it starts with SIGINT's default action, as a
    /// foreground job of an interactive shell does: a test run whose own SIGINT is ignored (started in the background,
    /// under nohup) would pass that on, and .NET keeps ignoring a signal that was ignored when the process started, so the
    /// stage would run on and those tests fail for the way they were launched.
    /// </summary>
    public static ProcessStartInfo StartInfo(string stage, string[] args, bool defaultInterrupt = false)
    {
        var wrap = defaultInterrupt && OperatingSystem.IsLinux(); // GNU env; other systems run it as it is
        var start = new ProcessStartInfo(wrap ? "env" : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryRoot,
        };
        if (wrap)
        {
            start.ArgumentList.Add("--default-signal=INT");
            start.ArgumentList.Add("dotnet"); // env execs it: the same process id receives the signal
        }

        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, stage + ".dll"));
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        // Help wraps at a fixed width whatever terminal the tests run in; no stack traces in messages.
        start.Environment["NSMT_HELP_WIDTH"] = "100";
        start.Environment.Remove("NSMT_DEBUG");
        return start;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "pipeline.yaml")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("no pipeline.yaml above " + AppContext.BaseDirectory);
    }
}
