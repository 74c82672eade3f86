using Nsmt.Pipeline.Execution;
using Nsmt.Pipeline.State;

namespace Nsmt.Pipeline.Tests;

public sealed class EngineTests
{
    private static StageOutcome OutcomeOf(RunSummary summary, string stage) =>
        summary.Results.Single(r => r.Stage == stage).Outcome;

    [Fact]
    public void First_run_runs_every_stage_and_a_second_run_runs_none_and_reads_no_file()
    {
        using var ws = new TestWorkspace();
        var first = ws.Run();
        Assert.Equal(["generate@tiny", "train@alpha", "evaluate@alpha"], ws.Runner.Invoked);
        Assert.All(first.Results, r => Assert.Equal(StageOutcome.Ran, r.Outcome));
        Assert.Equal("{\"lr\": 0.1, \"sum\": 15}\nevaluated\n", ws.Read("eval/alpha/report.txt"));

        var engine = ws.Engine();
        var second = engine.Run(new RunRequest());
        Assert.Equal(3, ws.Runner.Invoked.Count);
        Assert.All(second.Results, r => Assert.Equal(StageOutcome.Skipped, r.Outcome));
    }

    [Fact]
    public void Unchanged_files_are_not_read_again_thanks_to_the_stat_cache()
    {
        using var ws = new TestWorkspace();
        ws.Run();
        var hasher = new Hashing.WorkspaceHasher(ws.Root, Hashing.StatCache.Load(ws.Workspace.StatCacheFile, 0));
        var h = hasher.Hash("data/tiny");
        Assert.Equal(2, h.FileCount);
        Assert.Equal(0, hasher.FilesRead);
    }

    [Fact]
    public void Changing_a_train_parameter_reruns_train_and_evaluate_but_not_generate()
    {
        using var ws = new TestWorkspace();
        ws.Run();
        ws.Write("configs/train.yaml", "lr: 0.2\nepochs: 2\nseed: 7\nunused: 1\n");
        var summary = ws.Run();
        Assert.Equal(StageOutcome.Skipped, OutcomeOf(summary, "generate@tiny"));
        Assert.Equal(StageOutcome.Ran, OutcomeOf(summary, "train@alpha"));
        Assert.Equal(StageOutcome.Ran, OutcomeOf(summary, "evaluate@alpha"));
        Assert.Contains(
            "param changed: configs/train.yaml: lr 0.1 -> 0.2",
            summary.Results.Single(r => r.Stage == "train@alpha").Detail
        );
        Assert.StartsWith("{\"lr\": 0.2,", ws.Read("eval/alpha/report.txt"));
    }

    [Fact]
    public void Keys_a_stage_does_not_read_and_comments_do_not_rerun_it()
    {
        using var ws = new TestWorkspace();
        ws.Run();
        ws.Write("configs/train.yaml", "# another comment\nlr: 1e-1\nepochs: 2\nseed: 7\nunused: 99\n");
        var summary = ws.Run();
        Assert.All(summary.Results, r => Assert.Equal(StageOutcome.Skipped, r.Outcome));
    }

    [Fact]
    public void Touching_a_dependency_without_changing_its_bytes_reruns_nothing()
    {
        using var ws = new TestWorkspace();
        ws.Run();
        File.SetLastWriteTimeUtc(ws.Path_("data/tiny/samples.txt"), DateTime.UtcNow.AddMinutes(5));
        var engine = ws.Engine();
        var summary = engine.Run(new RunRequest());
        Assert.All(summary.Results, r => Assert.Equal(StageOutcome.Skipped, r.Outcome));
        Assert.Equal(3, ws.Runner.Invoked.Count);
    }

    [Fact]
    public void Setting_a_parameter_back_restores_the_old_outputs_from_the_run_cache_without_running()
    {
        using var ws = new TestWorkspace();
        ws.Run();
        var original = ws.Outputs();
        var changed = ws.Run(new RunRequest { Overrides = ["lr=0.5"] });
        Assert.Equal(StageOutcome.Ran, OutcomeOf(changed, "train@alpha"));
        Assert.StartsWith("{\"lr\": 0.5,", ws.Read("runs/alpha/metrics.json"));
        var invoked = ws.Runner.Invoked.Count;

        var back = ws.Run();
        Assert.Equal(invoked, ws.Runner.Invoked.Count);
        Assert.Equal(StageOutcome.Skipped, OutcomeOf(back, "generate@tiny"));
        Assert.Equal(StageOutcome.Restored, OutcomeOf(back, "train@alpha"));
        Assert.Equal(StageOutcome.Restored, OutcomeOf(back, "evaluate@alpha"));
        Assert.Equal(original, ws.Outputs());
    }

    [Fact]
    public void An_output_edited_by_hand_is_restored_and_force_reruns_only_the_selected_stages()
    {
        using var ws = new TestWorkspace();
        ws.Run();
        File.AppendAllText(ws.Path_("runs/alpha/metrics.json"), "tampered\n");
        var restored = ws.Run();
        Assert.Equal(StageOutcome.Restored, OutcomeOf(restored, "train@alpha"));
        Assert.Contains("output modified: runs/alpha", restored.Results.Single(r => r.Stage == "train@alpha").Detail);
        Assert.DoesNotContain("tampered", ws.Read("runs/alpha/metrics.json"));

        ws.Runner.Invoked.Clear();
        var forced = ws.Run(new RunRequest { Phases = ["train"], Force = true });
        Assert.Equal(["train@alpha"], ws.Runner.Invoked);
        Assert.Single(forced.Results);
    }

    [Fact]
    public void A_failing_stage_publishes_nothing_and_keeps_the_earlier_results_in_the_lock()
    {
        using var ws = new TestWorkspace();
        ws.Write("stages/train.sh", "mkdir -p \"$2\"; echo half > \"$2/metrics.json\"; exit 3\n");
        var error = Assert.Throws<StageFailedException>(() => ws.Run());
        Assert.Contains("train@alpha failed (exit code 3)", error.Message);
        Assert.False(Directory.Exists(ws.Path_("runs/alpha")));
        Assert.False(Directory.Exists(ws.Path_(".cache/pipeline/tmp/train@alpha")));
        var lockFile = LockFile.Load(ws.Path_("artifacts/pipeline.lock"));
        Assert.NotNull(lockFile["generate@tiny"]);
        Assert.Null(lockFile["train@alpha"]);
    }

    [Fact]
    public void A_stage_that_does_not_write_its_output_fails_with_the_path_it_should_have_written()
    {
        using var ws = new TestWorkspace();
        ws.Write("stages/evaluate.sh", "exit 0\n");
        var error = Assert.Throws<StageFailedException>(() => ws.Run());
        Assert.Contains("did not write its output eval/alpha/report.txt", error.Message);
    }

    [Fact]
    public void A_stage_that_exits_0_without_a_file_its_reader_needs_fails_at_that_stage_naming_the_file()
    {
        // Issue 29: AmpTrain exited 0 with a run directory but no model.nam; the pipeline marked it ran and the next
        // stage failed on a missing dependency. The reader's dependency inside the directory is now checked at once.
        using var ws = new TestWorkspace();
        ws.Write(
            "pipeline.yaml",
            TestWorkspace.PipelineYaml.Replace(
                "        deps:\n          run: runs/${experiment}\n",
                "        deps:\n          run: runs/${experiment}\n          model: runs/${experiment}/checkpoints/best.ckpt\n",
                StringComparison.Ordinal
            )
        );
        ws.Write("stages/train.sh", "set -e\nmkdir -p \"$2\"\necho '{}' > \"$2/metrics.json\"\n");
        var error = Assert.Throws<StageFailedException>(() => ws.Run());
        Assert.Equal("train@alpha", error.Stage);
        Assert.Contains(
            "train@alpha exited successfully but did not write runs/alpha/checkpoints/best.ckpt, which evaluate@alpha reads",
            error.Message
        );
        Assert.DoesNotContain("evaluate@alpha", ws.Runner.Invoked);
        Assert.False(Directory.Exists(ws.Path_("runs/alpha")));
        Assert.Null(LockFile.Load(ws.Path_("artifacts/pipeline.lock"))["train@alpha"]);
    }

    [Fact]
    public void Outputs_written_after_the_temporary_directory_was_deleted_are_never_published()
    {
        // Issue 23 item 4: deleting .cache/pipeline while a stage ran published a broken run with exit 0.
        using var ws = new TestWorkspace();
        ws.Write("stages/train.sh", "set -e\nrm -rf .cache/pipeline\n" + TestWorkspace.TrainScript);
        var error = Assert.Throws<StageFailedException>(() => ws.Run());
        Assert.Equal("train@alpha", error.Stage);
        Assert.Contains("was deleted while it ran", error.Message);
        Assert.False(Directory.Exists(ws.Path_("runs/alpha")));
        Assert.Null(LockFile.Load(ws.Path_("artifacts/pipeline.lock"))["train@alpha"]);
    }

    [Fact]
    public void Changing_a_stage_program_reruns_that_stage()
    {
        using var ws = new TestWorkspace();
        ws.Run();
        ws.Write("stages/evaluate.sh", TestWorkspace.EvaluateScript + "\necho v2 >> \"$2\"");
        var summary = ws.Run();
        Assert.Equal(StageOutcome.Skipped, OutcomeOf(summary, "train@alpha"));
        Assert.Equal(StageOutcome.Ran, OutcomeOf(summary, "evaluate@alpha"));
        Assert.Contains(
            "code changed: stages/evaluate.sh",
            summary.Results.Single(r => r.Stage == "evaluate@alpha").Detail
        );
    }

    [Fact]
    public void An_interrupted_stage_leaves_no_output_and_the_rerun_runs_only_it_producing_the_uninterrupted_result()
    {
        using var reference = new TestWorkspace();
        reference.Run();

        using var ws = new TestWorkspace();
        ws.Run(new RunRequest { Phases = ["Generate"] });
        ws.Write("slow", "1");
        using var cancel = new CancellationTokenSource();
        var run = new Background<RunSummary>(() => ws.Engine().Run(new RunRequest(), cancel.Token));
        WaitFor(() => File.Exists(ws.Path_("slow.started")));
        Assert.True(File.Exists(ws.Path_(".cache/pipeline/tmp/train@alpha/runs/alpha/partial.txt")));
        cancel.Cancel();
        Assert.True(run.Join(TimeSpan.FromSeconds(20)));
        Assert.IsType<StageFailedException>(run.Error);
        Assert.False(Directory.Exists(ws.Path_("runs/alpha")));

        File.Delete(ws.Path_("slow"));
        ws.Runner.Invoked.Clear();
        var rerun = ws.Run();
        Assert.Equal(["train@alpha", "evaluate@alpha"], ws.Runner.Invoked);
        Assert.Equal(StageOutcome.Skipped, OutcomeOf(rerun, "generate@tiny"));
        Assert.Equal(reference.Outputs(), ws.Outputs());
    }

    [Fact]
    public void A_second_concurrent_run_fails_at_once_naming_the_holder_or_waits_when_asked()
    {
        using var ws = new TestWorkspace();
        var holder = WorkspaceLock.Acquire(ws.Workspace.WorkspaceLockFile, wait: false, "holder-command");
        Environment.SetEnvironmentVariable(WorkspaceLock.TokenVariable, null); // the engine must not look like our child
        try
        {
            var busy = Assert.Throws<WorkspaceBusyException>(() => ws.Run());
            Assert.Contains($"pid {Environment.ProcessId} (`holder-command`", busy.Message);
            Assert.Contains("--wait", busy.Message);

            var waiting = new Background<RunSummary>(() => ws.Engine().Run(new RunRequest { Wait = true }));
            Assert.False(waiting.Join(TimeSpan.FromMilliseconds(300)));
            holder.Dispose();
            Assert.True(waiting.Join(TimeSpan.FromSeconds(20)));
            Assert.Null(waiting.Error);
            Assert.Equal(3, waiting.Result!.Results.Count);
        }
        finally
        {
            holder.Dispose();
        }
    }

    [Fact]
    public void An_override_no_stage_reads_is_an_error_naming_it()
    {
        using var ws = new TestWorkspace();
        var error = Assert.Throws<PipelineException>(() => ws.Run(new RunRequest { Overrides = ["momentum=0.9"] }));
        Assert.Contains("no stage's params include 'momentum'", error.Message);
        var targeted = ws.Run(new RunRequest { Overrides = ["train:momentum=0.9"] });
        Assert.Equal(StageOutcome.Ran, OutcomeOf(targeted, "train@alpha"));
    }

    [Fact]
    public void Clean_removes_the_selected_outputs_and_lock_entries_and_keeps_the_run_cache_unless_asked()
    {
        using var ws = new TestWorkspace();
        ws.Run();
        var removed = ws.Engine().Clean(new RunRequest { Phases = ["Train", "Evaluate"] }, runCache: false);
        Assert.Equal(["runs/alpha", "eval/alpha/report.txt"], removed);
        Assert.True(Directory.Exists(ws.Path_("data/tiny")));
        var again = ws.Run();
        Assert.Equal(StageOutcome.Restored, OutcomeOf(again, "train@alpha"));

        ws.Engine().Clean(new RunRequest(), runCache: true);
        Assert.False(Directory.Exists(ws.Path_("data/tiny")));
        Assert.False(Directory.Exists(ws.Path_(".cache/pipeline/objects")));
        Assert.Empty(LockFile.Load(ws.Path_("artifacts/pipeline.lock")).Entries);
        Assert.All(ws.Run().Results, r => Assert.Equal(StageOutcome.Ran, r.Outcome));
    }

    internal static void WaitFor(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("condition not reached in 20 s");
            }

            Thread.Sleep(10);
        }
    }
}

/// <summary>Work on a dedicated thread (the engine waits for stage processes on the thread that started them).</summary>
internal sealed class Background<T>
{
    private readonly Thread _thread;

    public Background(Func<T> work)
    {
        _thread = new Thread(() =>
        {
            try
            {
                Result = work();
            }
            catch (Exception e)
            {
                Error = e;
            }
        });
        _thread.Start();
    }

    public T? Result { get; private set; }

    public Exception? Error { get; private set; }

    public bool Join(TimeSpan timeout) => _thread.Join(timeout);
}
