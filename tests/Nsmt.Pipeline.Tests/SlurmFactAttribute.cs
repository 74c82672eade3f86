using System.Diagnostics;

namespace Nsmt.Pipeline.Tests;

/// <summary>
/// A test that needs a Slurm controller with a node that takes jobs (build/slurm-local.sh start brings one up on this
/// machine). Where none answers, the test is skipped with the reason, unless NSMT_REQUIRE_SLURM=1 (CI sets it):
/// then it runs and fails, so a broken Slurm bring-up can never pass as a skip.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SlurmFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> Unavailable = new(Probe);

    public SlurmFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("NSMT_REQUIRE_SLURM") != "1" && Unavailable.Value is { } reason)
        {
            Skip =
                $"Slurm is not available here ({reason}); `build/slurm-local.sh start` (root) starts a one-node Slurm";
        }
    }

    private static string? Probe()
    {
        try
        {
            var start = new ProcessStartInfo("sinfo", "-h -o %T")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var p = Process.Start(start)!;
            var stderr = p.StandardError.ReadToEndAsync();
            var states = p.StandardOutput.ReadToEnd();
            if (!p.WaitForExit(10_000))
            {
                p.Kill();
                return "sinfo did not answer within 10 s";
            }

            return p.ExitCode != 0 ? $"sinfo: {stderr.Result.Trim()}"
                : states.Split('\n').Any(s => s.Trim() is "idle" or "mixed" or "allocated" or "completing") ? null
                : $"no node takes jobs (node states: {states.Trim()})";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "sinfo is not installed";
        }
    }
}
