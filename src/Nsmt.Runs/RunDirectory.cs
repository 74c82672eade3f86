using System.Globalization;
using Nsmt.Core;

namespace Nsmt.Runs;

/// <summary>A run's output folder: <c>logs/&lt;task&gt;/runs/&lt;yyyy-MM-dd_HH-mm-ss&gt;/</c> with <c>checkpoints/</c> inside.</summary>
public sealed class RunDirectory
{
    private bool _createdHere;

    private RunDirectory(string path, bool create)
    {
        Path = System.IO.Path.GetFullPath(path);
        if (create)
        {
            Directory.CreateDirectory(Checkpoints);
        }
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
        {
            candidate = System.IO.Path.Combine(runs, $"{stamp}_{i}");
        }

        return new RunDirectory(candidate, create: false).Create();
    }

    /// <summary>An explicit run folder (pipelines pass one so outputs land where the stage declares them).</summary>
    public static RunDirectory At(string path) => new(path, create: true);

    /// <summary>
    /// The folder a new run will write, checked but not created yet: one that already holds files is refused, since
    /// the new run would replace its model, checkpoints and metrics and mix its top-k and TensorBoard events with
    /// ours; a file there is refused too. Call <see cref="Create"/> once the inputs have loaded, so that bad input
    /// leaves no empty run folder behind.
    /// </summary>
    public static RunDirectory ForNewRun(string path, string option = "--output")
    {
        ArgumentNullException.ThrowIfNull(path);
        var full = System.IO.Path.GetFullPath(path);
        if (File.Exists(full) || (FileKinds.Of(full) is not (FileKind.Missing or FileKind.Directory)))
        {
            throw new NsmtInputException(
                full,
                option,
                "expected a run directory (a new or empty folder), found a file"
            );
        }

        if (Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).FirstOrDefault() is { } entry)
        {
            throw new NsmtInputException(
                full,
                option,
                $"already holds files ({System.IO.Path.GetFileName(entry)}, ...) and a new run would replace or mix with them; "
                    + $"choose a new run directory, or continue that run with --resume {path}"
            );
        }

        return new RunDirectory(full, create: false);
    }

    /// <summary>Makes the folder and its checkpoints/ (nothing happens if they exist).</summary>
    public RunDirectory Create()
    {
        _createdHere |= !Directory.Exists(Path);
        Directory.CreateDirectory(Checkpoints);
        return this;
    }

    /// <summary>
    /// After a run failed before writing anything: removes the folder <see cref="Create"/> made, when it holds no file,
    /// so that bad input leaves nothing behind. A folder that was there before is left alone.
    /// </summary>
    public void RemoveIfEmpty()
    {
        if (
            _createdHere
            && Directory.Exists(Path)
            && !Directory.EnumerateFiles(Path, "*", SearchOption.AllDirectories).Any()
        )
        {
            Directory.Delete(Path, recursive: true);
        }
    }

    /// <summary>
    /// The run folder a checkpoint lies in (<c>RUN/checkpoints/x.ckpt</c> gives <c>RUN</c>), or the folder itself when
    /// <paramref name="path"/> names a run folder; creates nothing.
    /// </summary>
    public static RunDirectory OfCheckpoint(string path) =>
        Directory.Exists(path)
            ? Existing(path)
            : Existing(
                System.IO.Path.GetDirectoryName(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path)))!
            );

    /// <summary>The layout of a run another program wrote, for reading (creates nothing).</summary>
    public static RunDirectory Existing(string path) => new(path, create: false);
}
