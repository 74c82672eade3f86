using System.Diagnostics;

namespace Nsmt.Pipeline.Tests;

/// <summary>The real thing: the pipeline command line killed with SIGKILL in the middle of a stage, then rerun.</summary>
public sealed class KillTests
{
    [Fact]
    public void Killing_the_pipeline_mid_stage_kills_the_stage_and_the_rerun_redoes_only_that_stage()
    {
        using var reference = new TestWorkspace();
        Assert.Equal(0, Cli(reference, "run").ExitCode);

        using var ws = new TestWorkspace();
        Assert.Equal(0, Cli(ws, "run", "--phase", "Generate").ExitCode);
        ws.Write("slow", "1");
        using var pipeline = Start(ws, "run");
        EngineTests.WaitFor(() => File.Exists(ws.Path_("slow.started")));
        pipeline.Kill(); // SIGKILL: no handler runs, nothing is cleaned up by the pipeline itself
        pipeline.WaitForExit();

        // The stage died with it (parent-death signal), so nothing keeps writing into the temporary directory.
        EngineTests.WaitFor(() => !Process.GetProcesses().Any(p => IsTrainOf(p, ws.Root)));
        Assert.False(Directory.Exists(ws.Path_("runs/alpha")));

        File.Delete(ws.Path_("slow"));
        var rerun = Cli(ws, "run");
        Assert.Equal(0, rerun.ExitCode);
        Assert.Contains("generate@tiny: up to date", rerun.Output);
        Assert.Contains("train@alpha: running (never run)", rerun.Output);
        Assert.Contains("1 stages: 1 ran, 0 up to date", Cli(ws, "run", "--force", "--phase", "Evaluate").Output);
        Assert.Equal(reference.Outputs(), ws.Outputs());
    }

    [Fact]
    public void A_second_command_line_run_fails_at_once_while_one_is_running()
    {
        using var ws = new TestWorkspace();
        ws.Write("slow", "1");
        using var first = Start(ws, "run");
        try
        {
            EngineTests.WaitFor(() => File.Exists(ws.Path_("slow.started")));
            var second = Cli(ws, "run");
            Assert.Equal(3, second.ExitCode);
            Assert.Contains("another pipeline run is using this workspace", second.Output);
            Assert.Contains($"pid {first.Id}", second.Output);
        }
        finally
        {
            first.Kill(entireProcessTree: true);
            first.WaitForExit();
        }
    }

    [Fact]
    public void A_run_queued_with_wait_takes_over_the_stale_lock_of_a_killed_holder_and_finishes_as_an_uninterrupted_run()
    {
        using var reference = new TestWorkspace();
        Assert.Equal(0, Cli(reference, "run").ExitCode);

        using var ws = new TestWorkspace();
        ws.Write("slow", "1");
        using var holder = Start(ws, "run");
        EngineTests.WaitFor(() => File.Exists(ws.Path_("slow.started")));
        var waiterOutput = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var waiter = Start(ws, waiterOutput, "run", "--wait");
        try
        {
            // Queued behind the holder, by name, instead of failing.
            EngineTests.WaitFor(() =>
                waiterOutput.Any(l => l.Contains($"waiting for pid {holder.Id}", StringComparison.Ordinal))
            );
            Assert.False(waiter.HasExited);

            File.Delete(ws.Path_("slow"));
            holder.Kill(); // SIGKILL: the holder cleans nothing up; its lock.owner file stays behind, naming a dead pid
            holder.WaitForExit();
            Assert.True(waiter.WaitForExit(60_000), "the waiter never took over the killed holder's lock");
            Assert.Equal(0, waiter.ExitCode);
        }
        finally
        {
            if (!waiter.HasExited)
            {
                waiter.Kill(entireProcessTree: true);
            }
        }

        waiter.WaitForExit(); // drains the redirected output
        var output = string.Join('\n', waiterOutput);
        Assert.Contains("train@alpha: running", output);
        Assert.Equal(reference.Outputs(), ws.Outputs());
        Assert.False(
            File.Exists(ws.Path_(".cache/pipeline/lock.owner")),
            "the waiter, now the holder, removes the owner file when done"
        );
        Assert.Contains(" 0 ran, ", Cli(ws, "run").Output); // nothing left to redo
    }

    [Fact]
    public void A_stale_owner_file_left_by_a_killed_run_names_no_holder_and_does_not_block_the_next_run()
    {
        using var ws = new TestWorkspace();
        ws.Write("slow", "1");
        using (var holder = Start(ws, "run"))
        {
            EngineTests.WaitFor(() => File.Exists(ws.Path_("slow.started")));
            holder.Kill();
            holder.WaitForExit();
            var owner = File.ReadAllText(ws.Path_(".cache/pipeline/lock.owner"));
            Assert.Contains($"pid={holder.Id}", owner); // the stale record the next run must not trust
        }

        File.Delete(ws.Path_("slow"));
        var clock = Stopwatch.StartNew();
        var next = Cli(ws, "run");
        Assert.Equal(0, next.ExitCode);
        Assert.DoesNotContain("another pipeline run", next.Output);
        Assert.DoesNotContain("waiting for", next.Output);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task A_full_disk_while_publishing_fails_naming_the_stage_and_restores_the_previous_outputs()
    {
        // data/ on a 64 kB tmpfs (another file system, so publishing copies), holding the 5-sample dataset; the new
        // one has 20,000 samples (about 110 kB) and cannot fit. The mount lives in a private mount namespace
        // (unshare -rm: no root needed), so the run and the checks happen inside it.
        using var ws = new TestWorkspace();
        Assert.Equal(0, Cli(ws, "run", "--phase", "Generate").ExitCode);
        ws.Write("configs/data/tiny.yaml", "size: 20000\nseed: 1\n");
        var saved = ws.Path_("saved-data");
        CopyTree(ws.Path_("data"), saved);
        var script = $"""
            set -e
            mount -t tmpfs -o size=64k tmpfs data
            cp -a saved-data/. data/
            set +e
            dotnet '{CliPath}' run --phase Generate --root '{ws.Root}' 2>&1
            echo "exit=$?"
            echo "info: $(cat data/tiny/info.txt)"
            echo "samples: $(wc -l < data/tiny/samples.txt)"
            ls data/tiny | tr '\n' ' '; echo
            """;
        var start = new ProcessStartInfo("unshare")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = ws.Root,
        };
        foreach (var a in new[] { "-rm", "sh", "-c", script })
        {
            start.ArgumentList.Add(a);
        }

        start.Environment.Remove(WorkspaceLockTokenVariable);
        using var p = Process.Start(start)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var output = await p.StandardOutput.ReadToEndAsync() + await stderr;
        await p.WaitForExitAsync();

        Assert.True(p.ExitCode == 0, output);
        Assert.Contains(
            "stage generate@tiny: its new outputs could not be put in place (No space left on device",
            output
        );
        Assert.Contains("the previous outputs were restored", output);
        Assert.Contains("exit=1", output); // a clear pipeline error, not an unhandled exception (134)
        Assert.Contains("info: size=5", output);
        Assert.Contains("samples: 5", output);
        Assert.Contains("info.txt samples.txt \n", output);
    }

    private const string WorkspaceLockTokenVariable = "NSMT_PIPELINE_LOCK_TOKEN";

    private static void CopyTree(string source, string target)
    {
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var to = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to);
        }
    }

    [Fact]
    public async Task Serve_mode_runs_one_command_per_line_and_answers_each_with_a_done_line()
    {
        using var ws = new TestWorkspace();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(CliPath);
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add("--done-marker");
        start.ArgumentList.Add("\u0001nsmt-pipeline done "); // as build/pipeline.cake gives it
        start.Environment.Remove("NSMT_PIPELINE_LOCK_TOKEN");
        using var server = Process.Start(start)!;
        var stdout = server.StandardOutput.ReadToEndAsync();
        server.StandardInput.WriteLine($"run\t--phase\tTrain\t--root\t{ws.Root}");
        server.StandardInput.Flush();
        Assert.Equal("\u0001nsmt-pipeline done 0", server.StandardError.ReadLine());
        server.StandardInput.WriteLine($"run\t--set\tnope=1\t--root\t{ws.Root}");
        server.StandardInput.Close();
        string? line;
        var errors = new List<string>();
        while ((line = server.StandardError.ReadLine()) is not null)
        {
            errors.Add(line);
        }

        await server.WaitForExitAsync();
        Assert.Equal(0, server.ExitCode);
        Assert.Equal("\u0001nsmt-pipeline done 2", errors[^1]);
        Assert.Contains(errors, e => e.Contains("no stage's params include 'nope'", StringComparison.Ordinal));
        Assert.Contains("train@alpha: running (never run)", await stdout);
        Assert.True(File.Exists(ws.Path_("runs/alpha/metrics.json")));
        Assert.False(File.Exists(ws.Path_("eval/alpha/report.txt")));
    }

    [Fact]
    public void A_server_whose_caller_dies_stops_the_running_stage_and_publishes_nothing()
    {
        using var ws = new TestWorkspace();
        ws.Write("slow", "1");
        var start = new ProcessStartInfo("sh")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(
            $"{{ printf 'run\\t--root\\t%s\\n' '{ws.Root}'; sleep 60; }} | dotnet '{CliPath}' serve --done-marker done"
        );
        start.Environment.Remove("NSMT_PIPELINE_LOCK_TOKEN");
        using var caller = Process.Start(start)!;
        caller.OutputDataReceived += (_, _) => { };
        caller.ErrorDataReceived += (_, _) => { };
        caller.BeginOutputReadLine();
        caller.BeginErrorReadLine();
        EngineTests.WaitFor(() => File.Exists(ws.Path_("slow.started")));
        caller.Kill(); // the caller only: the server is re-parented and must notice

        EngineTests.WaitFor(() =>
            !Directory.Exists(ws.Path_(".cache/pipeline/tmp/train@alpha"))
            && !Process.GetProcesses().Any(p => IsTrainOf(p, ws.Root))
        );
        Assert.False(Directory.Exists(ws.Path_("runs/alpha")));
        Assert.Null(State.LockFile.Load(ws.Path_("artifacts/pipeline.lock"))["train@alpha"]);
    }

    private static bool IsTrainOf(Process p, string root)
    {
        try
        {
            var cmdline = File.ReadAllText($"/proc/{p.Id}/cmdline");
            return cmdline.Contains("stages/train.sh", StringComparison.Ordinal)
                && new DirectoryInfo($"/proc/{p.Id}/cwd").LinkTarget == root;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static string CliPath => Path.Combine(AppContext.BaseDirectory, "nsmt-pipeline.dll");

    private static Process Start(TestWorkspace ws, params string[] args) => Start(ws, null, args);

    /// <summary>Starts the command line; its output lines go to <paramref name="lines"/> when given.</summary>
    private static Process Start(
        TestWorkspace ws,
        System.Collections.Concurrent.ConcurrentQueue<string>? lines,
        params string[] args
    )
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(CliPath);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        start.ArgumentList.Add("--root");
        start.ArgumentList.Add(ws.Root);
        start.Environment.Remove("NSMT_PIPELINE_LOCK_TOKEN");
        var p = Process.Start(start)!;
        p.OutputDataReceived += (_, e) => Keep(e.Data);
        p.ErrorDataReceived += (_, e) => Keep(e.Data);
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;

        void Keep(string? line)
        {
            if (line is not null)
            {
                lines?.Enqueue(line);
            }
        }
    }

    private static (int ExitCode, string Output) Cli(TestWorkspace ws, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(CliPath);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        start.ArgumentList.Add("--root");
        start.ArgumentList.Add(ws.Root);
        start.Environment.Remove("NSMT_PIPELINE_LOCK_TOKEN");
        using var p = Process.Start(start)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout + stderr.Result);
    }
}
