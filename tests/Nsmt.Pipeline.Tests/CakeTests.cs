using System.Diagnostics;
using Nsmt.Tests.Snapshots;

namespace Nsmt.Pipeline.Tests;

/// <summary>build.cake's plumbing (build/pipeline.cake), run by <c>dotnet cake</c> on a copy of the two scripts.</summary>
public sealed class CakeTests : IDisposable
{
    private readonly string _workspace = Directory.CreateTempSubdirectory("nsmt-cake-").FullName;

    public void Dispose() => Directory.Delete(_workspace, recursive: true);

    [Fact]
    public async Task A_run_refused_for_a_held_workspace_prints_no_stage_table_of_the_other_run()
    {
        // Issue 23 item 25: the run holding the workspace keeps its stage report in .cache/pipeline; a second run,
        // refused, printed that report's table as its own (as if its stages had run).
        var root = SourceLocator.RepositoryRoot
            ?? throw new InvalidOperationException("no Pipeline.sln above the tests");
        Directory.CreateDirectory(Path.Combine(_workspace, "build"));
        File.Copy(Path.Combine(root, "build.cake"), Path.Combine(_workspace, "build.cake"));
        File.Copy(Path.Combine(root, "build", "pipeline.cake"), Path.Combine(_workspace, "build", "pipeline.cake"));
        var cache = Directory.CreateDirectory(Path.Combine(_workspace, ".cache", "pipeline")).FullName;
        var report = Path.Combine(cache, "cake-report.tsv");
        File.WriteAllText(report, "train@other\tTrain\tran\t12.5\tthe other run\n");
        File.WriteAllText(
            Path.Combine(cache, "lock.owner"),
            "pid=1\ncommand=dotnet cake --target=Train\nstarted=2026-12-07 08:00:00\n"
        );
        // The other run: it holds the workspace lock (an exclusive lock on the file, as Cake's FileShare.None takes).
        using var held = new FileStream(
            Path.Combine(cache, "lock"),
            FileMode.OpenOrCreate,
            FileAccess.ReadWrite,
            FileShare.None
        );

        var (exitCode, output) = await RunCake(root, Path.Combine(_workspace, "build.cake"), "--target=Status");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("another pipeline run is using this workspace", output, StringComparison.Ordinal);
        Assert.DoesNotContain("train@other", output, StringComparison.Ordinal);
        Assert.Equal("train@other\tTrain\tran\t12.5\tthe other run\n", File.ReadAllText(report)); // left to its owner
    }

    /// <summary>Runs <c>dotnet cake SCRIPT ARGS --no-build</c> from the repository (whose tool manifest has Cake).</summary>
    private static async Task<(int ExitCode, string Output)> RunCake(string root, string script, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "cake", script }.Concat(args).Append("--no-build"))
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("NSMT_PIPELINE_LOCK_TOKEN");
        using var cake = Process.Start(start)!;
        var stdout = cake.StandardOutput.ReadToEndAsync();
        var stderr = cake.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await cake.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            cake.Kill(entireProcessTree: true);
            throw new TimeoutException("dotnet cake did not finish within 5 minutes");
        }

        return (cake.ExitCode, await stdout + await stderr);
    }
}
