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
        var process = Process.Start(StartInfo(stage, args))!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static ProcessStartInfo StartInfo(string stage, string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryRoot,
        };
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
