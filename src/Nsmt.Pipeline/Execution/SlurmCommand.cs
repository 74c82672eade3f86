using System.Diagnostics;

namespace Nsmt.Pipeline.Execution;

/// <summary>Runs one Slurm client command (sbatch, squeue, scancel) and captures what it prints.</summary>
public static class SlurmCommand
{
    public sealed record Result(int ExitCode, string Output, string Error);

    public static Result Run(string program, IEnumerable<string> arguments, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new PipelineException($"could not start {program}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new PipelineException(
                $"the slurm executor needs `{program}` on PATH (Slurm's client commands): {e.Message}"
            );
        }

        using (process)
        {
            process.StandardInput.Close();
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            // A controller that does not answer must not hang the pipeline forever.
            if (!process.WaitForExit(timeout ?? TimeSpan.FromSeconds(60)))
            {
                process.Kill(entireProcessTree: true);
                throw new PipelineException(
                    $"`{program} {string.Join(' ', start.ArgumentList)}` did not answer within {(timeout ?? TimeSpan.FromSeconds(60)).TotalSeconds:F0} s; is slurmctld running?"
                );
            }

            return new Result(process.ExitCode, output.Result, error.Result);
        }
    }
}
