using System.Diagnostics;

namespace Nsmt.Pipeline.Execution;

/// <summary>
/// The local executor: runs a stage as a child process sharing this console (its progress shows live). Where util-linux's setpriv is
/// available the child is started with a parent-death signal, so killing the pipeline also kills the stage instead
/// of leaving it writing into a temporary directory nobody will read.
/// </summary>
public sealed class ProcessStageRunner : IStageExecutor
{
    private const string SetPriv = "/usr/bin/setpriv";

    public int Run(StageInvocation invocation, CancellationToken cancellationToken)
    {
        // Standard input is closed for the stage: in serve mode the pipeline's own input carries the build's commands.
        var start = new ProcessStartInfo
        {
            WorkingDirectory = invocation.WorkingDirectory,
            UseShellExecute = false,
            RedirectStandardInput = true,
        };
        var guarded = OperatingSystem.IsLinux() && File.Exists(SetPriv);
        if (guarded)
        {
            start.FileName = SetPriv;
            start.ArgumentList.Add("--pdeathsig");
            start.ArgumentList.Add("KILL");
            start.ArgumentList.Add("--");
        }
        else
        {
            start.FileName = invocation.Argv[0];
        }

        foreach (var a in invocation.Argv.Skip(guarded ? 0 : 1))
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["NSMT_PIPELINE_STAGE"] = invocation.Stage.Name;
        using var process = Process.Start(start)
            ?? throw new PipelineException($"could not start {invocation.Argv[0]}");
        process.StandardInput.Close();
        using var registration = cancellationToken.Register(() =>
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already exited.
            }
        });

        // Waiting on this thread matters: the parent-death signal fires when the thread that started the child exits.
        process.WaitForExit();
        cancellationToken.ThrowIfCancellationRequested();
        return process.ExitCode;
    }
}
