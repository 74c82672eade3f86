using System.Globalization;

namespace Nsmt.Runs;

/// <summary>A run's output folder: <c>logs/&lt;task&gt;/runs/&lt;yyyy-MM-dd_HH-mm-ss&gt;/</c> with <c>checkpoints/</c> inside.</summary>
public sealed class RunDirectory
{
    private RunDirectory(string path, bool create)
    {
        Path = System.IO.Path.GetFullPath(path);
        if (create)
            Directory.CreateDirectory(Checkpoints);
    }

    public string Path { get; }

    public string Checkpoints => System.IO.Path.Combine(Path, "checkpoints");

    public string ConfigFile => System.IO.Path.Combine(Path, "config.yaml");

    public string MetricsCsv => System.IO.Path.Combine(Path, "metrics.csv");

    public string SummaryJson => System.IO.Path.Combine(Path, "summary.json");

    public string TimingJson => System.IO.Path.Combine(Path, "timing.json");

    public string TensorBoard => System.IO.Path.Combine(Path, "tensorboard");

    public string BestCheckpoint => System.IO.Path.Combine(Checkpoints, "best.ckpt");

    public string LastCheckpoint => System.IO.Path.Combine(Checkpoints, "last.ckpt");

    /// <summary>A new timestamped run under the log directory (a suffix is added if that second is taken).</summary>
    public static RunDirectory CreateTimestamped(string logDir, string taskName, DateTime now)
    {
        var runs = System.IO.Path.Combine(logDir, taskName, "runs");
        var stamp = now.ToString("yyyy-MM-dd_HH-mm-ss", CultureInfo.InvariantCulture);
        var candidate = System.IO.Path.Combine(runs, stamp);
        for (var i = 1; Directory.Exists(candidate); i++)
            candidate = System.IO.Path.Combine(runs, $"{stamp}_{i}");
        return new RunDirectory(candidate, create: true);
    }

    /// <summary>An explicit run folder (pipelines pass one so outputs land where the stage declares them).</summary>
    public static RunDirectory At(string path) => new(path, create: true);

    /// <summary>The layout of a run another program wrote, for reading (creates nothing).</summary>
    public static RunDirectory Existing(string path) => new(path, create: false);
}
