using System.Globalization;
using Nsmt.Core;

namespace Nsmt.Pipeline.Execution;

/// <summary>One submitted job: its id, the stage it runs, its log, and the file its wrapper writes the exit code to.</summary>
public sealed record SlurmJob(string Id, string Stage, string LogFile, string StatusFile);

/// <summary>
/// The jobs this workspace's driver has in Slurm, one file each under <c>.cache/pipeline/slurm/jobs/</c>, written when
/// a job is submitted and removed when it has ended. A driver killed with SIGKILL cannot scancel its jobs; the files it
/// leaves tell the next run (and Status) which jobs are still out there.
/// </summary>
public sealed class SlurmJobRegistry(PipelineWorkspace workspace)
{
    public string Directory { get; } = Path.Combine(workspace.CacheDirectory, "slurm");

    public string JobsDirectory => Path.Combine(Directory, "jobs");

    public void Add(SlurmJob job) =>
        AtomicFile.WriteAllText(Path.Combine(JobsDirectory, job.Id), $"{job.Stage}\n{job.LogFile}\n{job.StatusFile}\n");

    public void Remove(string id) => File.Delete(Path.Combine(JobsDirectory, id));

    public IReadOnlyList<SlurmJob> List()
    {
        if (!System.IO.Directory.Exists(JobsDirectory))
        {
            return [];
        }

        var jobs = new List<SlurmJob>();
        foreach (var file in System.IO.Directory.EnumerateFiles(JobsDirectory))
        {
            var id = Path.GetFileName(file);
            if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                continue; // a temporary file of AtomicFile, or something that is not ours
            }

            var lines = File.ReadAllLines(file);
            jobs.Add(
                new SlurmJob(
                    id,
                    lines.ElementAtOrDefault(0) ?? "?",
                    lines.ElementAtOrDefault(1) ?? string.Empty,
                    lines.ElementAtOrDefault(2) ?? string.Empty
                )
            );
        }

        return jobs.OrderBy(j => long.Parse(j.Id, CultureInfo.InvariantCulture)).ToList();
    }
}
