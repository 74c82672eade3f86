using System.Collections.Concurrent;
using System.Diagnostics;
using Nsmt.Pipeline.Definition;
using Nsmt.Pipeline.Execution;

namespace Nsmt.Pipeline.Tests;

/// <summary>
/// How the slurm executor decides that a job has ended and how, in the orderings a real cluster gives only now and
/// then (FakeSlurm makes them happen every time): a job must never be taken for dead while it runs or because its
/// status file is slow to show up, and a job Slurm killed fails its stage with Slurm's state.
/// </summary>
public sealed class SlurmJobEndTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    [Fact]
    public void A_job_submitted_while_squeue_is_answering_is_not_taken_for_ended()
    {
        using var ws = new TestWorkspace();
        using var fake = new FakeSlurm();
        var log = new ConcurrentQueue<string>();
        using var slurm = new SlurmExecutor(fake.Options(Long), log.Enqueue);
        var first = Start(slurm, ws, "train@alpha");
        var alpha = WaitForJob(ws, "train@alpha");

        // squeue reads the queue (only train@alpha's job), then train@beta is submitted before it answers.
        fake.HoldSqueue();
        EngineTests.WaitFor(() => fake.SqueueHeld);
        var second = Start(slurm, ws, "train@beta");
        EngineTests.WaitFor(() => log.Any(l => l.StartsWith("train@beta: slurm job", StringComparison.Ordinal)));
        Thread.Sleep(200);
        fake.ReleaseSqueue();
        Thread.Sleep(300);
        Assert.True(second.Error is null, $"the job was taken for ended: {second.Error?.Message}");

        var beta = WaitForJob(ws, "train@beta");
        foreach (var job in new[] { alpha, beta })
        {
            FakeSlurm.WriteStatus(job, 0);
            fake.List(job.Id, "COMPLETED");
        }

        Assert.Equal(0, Finish(first));
        Assert.Equal(0, Finish(second));
    }

    [Theory]
    [InlineData("COMPLETED", null)] // squeue still lists it
    [InlineData(null, null)] // squeue forgot it, and there is no accounting
    [InlineData(null, "")] // squeue forgot it, and accounting has no record of it yet
    [InlineData(null, "COMPLETED|0:0")]
    public void A_status_file_that_shows_up_after_the_job_ended_is_waited_for(string? queueState, string? accounting)
    {
        using var ws = new TestWorkspace();
        using var fake = new FakeSlurm();
        using var slurm = new SlurmExecutor(fake.Options(Long));
        var run = Start(slurm, ws, "train@alpha");
        var job = WaitForJob(ws, "train@alpha");
        if (accounting is not null)
        {
            fake.Account(job.Id, accounting);
        }

        if (queueState is null)
        {
            fake.Forget(job.Id);
        }
        else
        {
            fake.List(job.Id, queueState);
        }

        // A shared file system shows the file late: many polls go by without it.
        Assert.False(run.Join(TimeSpan.FromSeconds(1)), $"gave up on the job: {run.Error?.Message}");
        FakeSlurm.WriteStatus(job, 0);
        Assert.Equal(0, Finish(run));
    }

    [Theory]
    [InlineData("TIMEOUT", 15, "TIMEOUT, signal 15")]
    [InlineData("CANCELLED", 15, "CANCELLED, signal 15")]
    [InlineData("OUT_OF_MEMORY", 9, "OUT_OF_MEMORY, signal 9")]
    [InlineData("FAILED", 9, "FAILED, signal 9")] // the wrapper itself was killed
    public void A_job_that_Slurm_killed_fails_its_stage_at_once_with_the_state(string state, int status, string named)
    {
        using var ws = new TestWorkspace();
        using var fake = new FakeSlurm();
        using var slurm = new SlurmExecutor(fake.Options(Long));
        var run = Start(slurm, ws, "train@alpha");
        var job = WaitForJob(ws, "train@alpha");
        var clock = Stopwatch.StartNew();
        fake.List(job.Id, state, status);
        var e = FinishFailing(run);
        Assert.Equal(
            $"slurm job {job.Id} for stage train@alpha ended {named} before its program finished (time limit, memory, scancel, node failure or signal); its outputs were discarded. Log: {job.LogFile}",
            e.Message
        );
        Assert.True(
            clock.Elapsed < TimeSpan.FromSeconds(10),
            $"waited {clock.Elapsed} for a status file that cannot come"
        );
    }

    [Theory]
    [InlineData("CANCELLED by 1000|0:15", "CANCELLED, signal 15")]
    [InlineData("OUT_OF_MEMORY|0:125", "OUT_OF_MEMORY, signal 125")]
    [InlineData("TIMEOUT|0:0", "TIMEOUT, exit code 0")]
    public void A_killed_job_that_squeue_forgot_is_named_by_sacct(string record, string named)
    {
        using var ws = new TestWorkspace();
        using var fake = new FakeSlurm();
        using var slurm = new SlurmExecutor(fake.Options(Long));
        var run = Start(slurm, ws, "train@alpha");
        var job = WaitForJob(ws, "train@alpha");
        fake.Account(job.Id, record);
        fake.Forget(job.Id);
        var e = FinishFailing(run);
        Assert.StartsWith(
            $"slurm job {job.Id} for stage train@alpha ended {named} before its program finished",
            e.Message
        );
    }

    [Theory]
    [InlineData(false)] // squeue still lists it: FAILED, wait status 256 (exit code 1)
    [InlineData(true)] // squeue forgot it; sacct says FAILED|1:0
    public void A_job_whose_wrapper_failed_without_a_status_file_fails_after_a_short_grace_naming_state_and_code(
        bool forgotten
    )
    {
        using var ws = new TestWorkspace();
        using var fake = new FakeSlurm();
        using var slurm = new SlurmExecutor(fake.Options(Long));
        var run = Start(slurm, ws, "train@alpha");
        var job = WaitForJob(ws, "train@alpha");
        var clock = Stopwatch.StartNew();
        // The wrapper's cd failed ("|| exit 1"): the script exited 1 and never wrote its status file.
        if (forgotten)
        {
            fake.Account(job.Id, "FAILED|1:0");
            fake.Forget(job.Id);
        }
        else
        {
            fake.List(job.Id, "FAILED", 1 << 8);
        }

        var e = FinishFailing(run);
        Assert.Equal(
            $"slurm job {job.Id} for stage train@alpha ended FAILED, exit code 1, without writing its exit-status file {job.StatusFile} (none within 5 s): its wrapper failed before or after the stage program (e.g. its cd into the workspace), or the file is not visible here yet; its outputs were discarded. Log: {job.LogFile}",
            e.Message
        );
        Assert.InRange(clock.Elapsed, SlurmExecutor.FailedScriptStatusGrace, TimeSpan.FromSeconds(15));
    }

    [Fact]
    public void A_completed_job_whose_status_file_shows_up_after_the_failed_script_grace_is_still_waited_for()
    {
        using var ws = new TestWorkspace();
        using var fake = new FakeSlurm();
        using var slurm = new SlurmExecutor(fake.Options(Long));
        var run = Start(slurm, ws, "train@alpha");
        var job = WaitForJob(ws, "train@alpha");
        fake.Account(job.Id, "COMPLETED|0:0");
        fake.Forget(job.Id);

        // Exit code 0 is the NFS case: the file is late, not missing, so the short grace of a failed script is no limit.
        var late = SlurmExecutor.FailedScriptStatusGrace + TimeSpan.FromSeconds(1);
        Assert.False(run.Join(late), $"gave up on the job: {run.Error?.Message}");
        FakeSlurm.WriteStatus(job, 0);
        Assert.Equal(0, Finish(run));
    }

    [Fact]
    public void A_program_that_exited_in_a_job_Slurm_ended_for_memory_names_both()
    {
        using var ws = new TestWorkspace();
        using var fake = new FakeSlurm();
        using var slurm = new SlurmExecutor(fake.Options(Long));
        var run = Start(slurm, ws, "train@alpha");
        var job = WaitForJob(ws, "train@alpha");
        FakeSlurm.WriteStatus(job, 137);
        fake.List(job.Id, "OUT_OF_MEMORY", 137 << 8);
        var e = FinishFailing(run);
        Assert.Equal(
            $"slurm job {job.Id} for stage train@alpha ended OUT_OF_MEMORY, exit code 137; its program exited with code 137. Log: {job.LogFile}",
            e.Message
        );
    }

    [Fact]
    public void A_status_file_that_never_shows_up_fails_the_stage_after_the_timeout_naming_job_stage_and_file()
    {
        using var ws = new TestWorkspace();
        using var fake = new FakeSlurm();
        using var slurm = new SlurmExecutor(fake.Options(TimeSpan.FromSeconds(1)));
        var run = Start(slurm, ws, "train@alpha");
        var job = WaitForJob(ws, "train@alpha");
        var clock = Stopwatch.StartNew();
        fake.List(job.Id, "COMPLETED");
        var e = FinishFailing(run);
        Assert.Equal(
            $"slurm job {job.Id} for stage train@alpha ended COMPLETED, exit code 0, but its exit-status file {job.StatusFile} did not appear within 1 s (is the workspace on a file system every node mounts at the same path?); its outputs were discarded. Log: {job.LogFile}",
            e.Message
        );
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.9), $"gave up after {clock.Elapsed}");
    }

    private static Background<int> Start(SlurmExecutor slurm, TestWorkspace ws, string stageName)
    {
        var stage = PipelineDefinition.Load(ws.Root).Resolve(["alpha", "beta"])[stageName];
        var invocation = new StageInvocation(stage, stage.CommandLine(), ws.Root);
        return new Background<int>(() => slurm.Run(invocation, CancellationToken.None));
    }

    private static SlurmJob WaitForJob(TestWorkspace ws, string stage)
    {
        SlurmJob? job = null;
        EngineTests.WaitFor(() =>
            (job = new SlurmJobRegistry(ws.Workspace).List().FirstOrDefault(j => j.Stage == stage)) is not null
        );
        return job!;
    }

    private static int Finish(Background<int> run)
    {
        Assert.True(run.Join(TimeSpan.FromSeconds(20)), "the job is still waited for");
        Assert.True(run.Error is null, run.Error?.Message);
        return run.Result;
    }

    private static StageFailedException FinishFailing(Background<int> run)
    {
        Assert.True(run.Join(TimeSpan.FromSeconds(20)), "the job is still waited for");
        return Assert.IsType<StageFailedException>(run.Error);
    }
}
