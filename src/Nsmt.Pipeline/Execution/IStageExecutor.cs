using Nsmt.Pipeline.Definition;

namespace Nsmt.Pipeline.Execution;

/// <summary>A stage program to run: its argv (outputs pointing into its temporary directory) and working directory.</summary>
public sealed record StageInvocation(Stage Stage, IReadOnlyList<string> Argv, string WorkingDirectory);

/// <summary>
/// Where stage programs run: this machine (<see cref="ProcessStageRunner"/>) or a Slurm cluster (<see cref="SlurmExecutor"/>).
/// The engine decides what runs and when, and calls <see cref="Run"/> for several stages at once (each on its own
/// thread) when they are independent; an executor only runs programs. Outputs, the run cache and the lock file are
/// never its business: the program writes into its temporary directory and the engine publishes from there.
/// </summary>
public interface IStageExecutor
{
    /// <summary>Runs the program to completion and returns its exit code; cancellation must stop it.</summary>
    int Run(StageInvocation invocation, CancellationToken cancellationToken);

    /// <summary>
    /// Called once before a run, before the engine clears the temporary directories: an executor whose work can
    /// outlive a killed driver (a batch job) must make sure nothing of an earlier run still writes there.
    /// </summary>
    void RecoverFromEarlierRun(PipelineWorkspace workspace) { }

    /// <summary>Lines describing work in flight (queued or running jobs), for Status; empty when it has none to show.</summary>
    IReadOnlyList<string> DescribeActiveWork(PipelineWorkspace workspace) => [];
}
