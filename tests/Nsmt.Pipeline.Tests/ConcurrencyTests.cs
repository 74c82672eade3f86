using Nsmt.Pipeline.Execution;
using Nsmt.Pipeline.State;

namespace Nsmt.Pipeline.Tests;

/// <summary>Independent stages run side by side with <see cref="RunRequest.Jobs"/> above 1, and only then.</summary>
public sealed class ConcurrencyTests
{
    // Each train announces itself, then waits (at most 3 s) for a second one to start: with two slots both see 2,
    // one after another the first gives up and sees 1. A run path containing "beta" fails when the file fail-beta exists;
    // then alpha finishes only after beta has failed (and a second more for the engine to reap it), so on a loaded
    // machine alpha cannot finish first and legitimately free its slot for evaluate@alpha before the failure.
    private const string RendezvousTrain = """
        set -e
        data=$1; run=$2
        touch "started.$(basename "$run")"
        i=0
        while [ "$(ls started.* | wc -l)" -lt 2 ] && [ $i -lt 30 ]; do sleep 0.1; i=$((i+1)); done
        mkdir -p "$run/checkpoints"
        case "$run" in *beta*) if [ -f fail-beta ]; then touch beta.failed; exit 7; fi;; esac
        if [ -f fail-beta ]; then
          i=0; while [ ! -f beta.failed ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done; sleep 1
        fi
        seen=$(ls started.* | wc -l)
        echo "{\"seen\": $seen}" > "$run/metrics.json"
        echo weights > "$run/checkpoints/best.ckpt"
        """;

    private static TestWorkspace Workspace()
    {
        var ws = new TestWorkspace();
        ws.Write("stages/train.sh", RendezvousTrain);
        return ws;
    }

    private static RunRequest Both(int jobs) =>
        new()
        {
            Experiments = ["alpha", "beta"],
            Jobs = jobs,
            Phases = ["Train"],
        };

    [Fact]
    public void With_two_jobs_the_two_trainings_run_at_the_same_time()
    {
        using var ws = Workspace();
        var summary = ws.Run(Both(2));
        Assert.All(summary.Results, r => Assert.Equal(StageOutcome.Ran, r.Outcome));
        Assert.Equal("{\"seen\": 2}\n", ws.Read("runs/alpha/metrics.json"));
        Assert.Equal("{\"seen\": 2}\n", ws.Read("runs/beta/metrics.json"));
    }

    [Fact]
    public void With_one_job_they_run_one_after_the_other_in_plan_order()
    {
        using var ws = Workspace();
        ws.Run(Both(1));
        Assert.Equal(["generate@tiny", "train@alpha", "train@beta"], ws.Runner.Invoked);
        Assert.Equal("{\"seen\": 1}\n", ws.Read("runs/alpha/metrics.json"));
    }

    [Fact]
    public void A_failure_keeps_what_ran_beside_it_and_starts_nothing_new()
    {
        using var ws = Workspace();
        ws.Write("fail-beta", "1");
        var e = Assert.Throws<StageFailedException>(() =>
            ws.Engine().Run(new RunRequest { Experiments = ["alpha", "beta"], Jobs = 2 })
        );
        Assert.Equal("train@beta", e.Stage);
        Assert.Contains("exit code 7", e.Message);

        var lockFile = LockFile.Load(ws.Path_("artifacts/pipeline.lock"));
        Assert.NotNull(lockFile["train@alpha"]); // finished beside the failure: published and recorded
        Assert.Null(lockFile["train@beta"]);
        Assert.False(Directory.Exists(ws.Path_("runs/beta")));
        Assert.DoesNotContain("evaluate@alpha", ws.Runner.Invoked);
        Assert.False(Directory.Exists(ws.Path_(".cache/pipeline/tmp/train@beta")));

        File.Delete(ws.Path_("fail-beta"));
        var rerun = ws.Run(new RunRequest { Experiments = ["alpha", "beta"], Jobs = 2 });
        Assert.Equal(StageOutcome.Skipped, rerun.Results.Single(r => r.Stage == "train@alpha").Outcome);
        Assert.Equal(StageOutcome.Ran, rerun.Results.Single(r => r.Stage == "train@beta").Outcome);
    }
}
