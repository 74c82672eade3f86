using System.Diagnostics;
using Nsmt.Pipeline.Definition;
using Nsmt.Pipeline.Execution;
using Nsmt.Pipeline.State;

namespace Nsmt.Pipeline.Tests;

/// <summary>The slurm executor: what it submits, and the tiny pipeline through a real Slurm (build/slurm-local.sh).</summary>
public sealed class SlurmTests
{
    private static readonly SlurmOptions Fast = new() { PollInterval = TimeSpan.FromSeconds(0.2) };

    [Fact]
    public void A_stage_is_submitted_with_its_resources_and_the_cluster_options()
    {
        using var ws = new TestWorkspace();
        ws.Write(
            "pipeline.yaml",
            TestWorkspace.PipelineYaml.Replace(
                "        phase: Train\n",
                "        phase: Train\n        resources: {cpus: 2, memory: 3G, time: \"10\", gres: \"gpu:1\"}\n"
            )
        );
        var stage = PipelineDefinition.Load(ws.Root).Resolve(["alpha"])["train@alpha"];
        using var slurm = new SlurmExecutor(
            new SlurmOptions
            {
                Partition = "gpu",
                Account = "audio",
                ExtraArguments = ["--qos=short"],
            }
        );
        var invocation = new StageInvocation(stage, stage.CommandLine(), ws.Root);
        Assert.Equal(
            [
                "--parsable",
                "--job-name=nsmt:train@alpha",
                "--output=/logs/x.log",
                $"--chdir={ws.Root}",
                "--cpus-per-task=2",
                "--mem=3G",
                "--time=10",
                "--gres=gpu:1",
                "--partition=gpu",
                "--account=audio",
                "--qos=short",
            ],
            slurm.SubmitArguments(invocation, "/logs/x.log")
        );

        // The script runs the argv quoted, in the workspace, and records the exit code with a rename as its last act.
        var script = SlurmExecutor.Script(invocation with { Argv = ["sh", "it's.sh"] }, "/s/status");
        Assert.Contains($"cd '{ws.Root}' || exit 1\n", script);
        Assert.Contains("'sh' 'it'\\''s.sh' </dev/null\n", script);
        Assert.EndsWith(
            "printf '%s\\n' \"$code\" > '/s/status.tmp' && mv '/s/status.tmp' '/s/status'\nexit $code\n",
            script
        );
    }

    [SlurmFact]
    public void Through_slurm_the_pipeline_gives_the_same_outputs_and_lock_as_a_local_run()
    {
        var request = new RunRequest { Experiments = ["alpha", "beta"], Jobs = 4 };
        using var local = new TestWorkspace();
        local.Run(request with { Jobs = 1 });

        using var ws = new TestWorkspace();
        using var slurm = new SlurmExecutor(Fast);
        var summary = new PipelineEngine(ws.Workspace, slurm).Run(request);
        Assert.All(summary.Results, r => Assert.Equal(StageOutcome.Ran, r.Outcome));
        Assert.Equal(local.Outputs(), ws.Outputs());
        Assert.Equal(
            local.Read("artifacts/pipeline.lock").Replace(local.Root, "{ws}"),
            ws.Read("artifacts/pipeline.lock").Replace(ws.Root, "{ws}")
        );
        Assert.Empty(new SlurmJobRegistry(ws.Workspace).List());

        // A second run through slurm submits nothing: up to date is decided by the driver.
        var again = new PipelineEngine(ws.Workspace, slurm).Run(request);
        Assert.All(again.Results, r => Assert.Equal(StageOutcome.Skipped, r.Outcome));
    }

    [SlurmFact]
    public void A_failing_job_fails_its_stage_and_publishes_nothing()
    {
        using var ws = new TestWorkspace();
        ws.Write("stages/evaluate.sh", "exit 5");
        using var slurm = new SlurmExecutor(Fast);
        var e = Assert.Throws<StageFailedException>(() =>
            new PipelineEngine(ws.Workspace, slurm).Run(new RunRequest())
        );
        Assert.Contains("stage evaluate@alpha failed (exit code 5)", e.Message);
        Assert.False(File.Exists(ws.Path_("eval/alpha/report.txt")));
        Assert.NotNull(LockFile.Load(ws.Path_("artifacts/pipeline.lock"))["train@alpha"]);
    }

    [SlurmFact]
    public void Cancelling_the_driver_scancels_its_job_and_discards_the_partial_outputs()
    {
        using var ws = new TestWorkspace();
        ws.Write("slow", "1");
        using var slurm = new SlurmExecutor(Fast);
        using var cancel = new CancellationTokenSource();
        var run = new Background<RunSummary>(() =>
            new PipelineEngine(ws.Workspace, slurm).Run(new RunRequest(), cancel.Token)
        );
        EngineTests.WaitFor(() => File.Exists(ws.Path_("slow.started")));
        var id = Assert.Single(new SlurmJobRegistry(ws.Workspace).List()).Id;
        cancel.Cancel();
        Assert.True(run.Join(TimeSpan.FromSeconds(60)));
        Assert.IsType<StageFailedException>(run.Error);
        Assert.Equal("CANCELLED", JobState(id));
        Assert.Empty(new SlurmJobRegistry(ws.Workspace).List());
        Assert.False(Directory.Exists(ws.Path_("runs/alpha")));
        Assert.Null(LockFile.Load(ws.Path_("artifacts/pipeline.lock"))["train@alpha"]);
    }

    [SlurmFact]
    public void A_job_cancelled_behind_the_drivers_back_fails_its_stage_with_slurms_state()
    {
        using var ws = new TestWorkspace();
        ws.Write("slow", "1");
        using var slurm = new SlurmExecutor(Fast);
        var run = new Background<RunSummary>(() => new PipelineEngine(ws.Workspace, slurm).Run(new RunRequest()));
        EngineTests.WaitFor(() => File.Exists(ws.Path_("slow.started")));
        var id = Assert.Single(new SlurmJobRegistry(ws.Workspace).List()).Id;
        Assert.Equal(0, SlurmCommand.Run("scancel", [id]).ExitCode);
        Assert.True(run.Join(TimeSpan.FromSeconds(60)));
        var e = Assert.IsType<StageFailedException>(run.Error);
        Assert.Contains($"slurm job {id} for stage train@alpha ended CANCELLED", e.Message);
        Assert.False(Directory.Exists(ws.Path_("runs/alpha")));
        Assert.Empty(new SlurmJobRegistry(ws.Workspace).List());
    }

    [SlurmFact]
    public void Jobs_of_a_driver_killed_outright_show_in_status_and_are_cancelled_by_the_next_run()
    {
        using var reference = new TestWorkspace();
        reference.Run();

        using var ws = new TestWorkspace();
        ws.Write("slow", "1");
        var driver = Cli(ws, "run", "--executor", "slurm");
        EngineTests.WaitFor(() => File.Exists(ws.Path_("slow.started")));
        driver.Kill(); // SIGKILL: no scancel from the driver itself
        driver.WaitForExit();
        var id = Assert.Single(new SlurmJobRegistry(ws.Workspace).List()).Id;
        Assert.Equal("RUNNING", JobState(id));

        var status = Cli(ws, "status");
        var statusText = status.StandardOutput.ReadToEnd();
        status.WaitForExit();
        Assert.Contains($"slurm job {id}  train@alpha  RUNNING", statusText);

        File.Delete(ws.Path_("slow"));
        var rerun = Cli(ws, "run", "--executor", "slurm");
        var output = rerun.StandardOutput.ReadToEnd();
        rerun.WaitForExit();
        Assert.Equal(0, rerun.ExitCode);
        Assert.Contains(
            $"cancelling 1 slurm job(s) of an earlier run that did not end cleanly: {id} (train@alpha)",
            output
        );
        Assert.Equal("CANCELLED", JobState(id));
        Assert.Contains("train@alpha: running (never run)", output);
        Assert.Equal(reference.Outputs(), ws.Outputs());
    }

    private static string JobState(string id)
    {
        var result = SlurmCommand.Run("squeue", ["-h", "-t", "all", "-j", id, "-o", "%T"]);
        return result.Output.Trim();
    }

    private static Process Cli(TestWorkspace ws, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "nsmt-pipeline.dll"));
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        start.ArgumentList.Add("--root");
        start.ArgumentList.Add(ws.Root);
        start.Environment.Remove("NSMT_PIPELINE_LOCK_TOKEN");
        return Process.Start(start)!;
    }
}
