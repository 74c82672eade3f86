using Nsmt.Config;
using Nsmt.Runs;
using Nsmt.Spectral.Data;
using Nsmt.Spectral.Data.Generation;
using Nsmt.Spectral.Training.Config;
using GeneratorConfig = Nsmt.Spectral.Data.Config.GeneratorConfig;

namespace Nsmt.Spectral.Training;

/// <summary>What the Train stage asks for.</summary>
public sealed record TrainRequest
{
    /// <summary>The configs/ directory; relative paths in configs (data dirs, generator configs) resolve against its parent.</summary>
    public required string ConfigRoot { get; init; }
    public string? Experiment { get; init; }
    public IReadOnlyList<string> Overrides { get; init; } = [];

    /// <summary>Explicit run directory (default: logs/&lt;task&gt;/runs/&lt;timestamp&gt;).</summary>
    public string? RunDirectory { get; init; }

    /// <summary>Dataset directory overriding data.dir.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>A checkpoint file or a run directory (its checkpoints/last.ckpt) to continue from.</summary>
    public string? ResumeFrom { get; init; }
}

/// <summary>Composes the config, makes sure the dataset exists (generating it on first use), and trains.</summary>
public static class TrainingRunner
{
    public static TrainResult Run(
        TrainRequest request,
        ProgressReporter progress,
        CancellationToken cancellation = default
    )
    {
        var workspace = Path.GetDirectoryName(Path.GetFullPath(request.ConfigRoot).TrimEnd(Path.DirectorySeparatorChar))
            ?? ".";
        string? resumeCheckpoint = null;
        TrainConfig config;
        if (request.ResumeFrom is { } resume)
        {
            resumeCheckpoint = Directory.Exists(resume) ? Path.Combine(resume, "checkpoints", "last.ckpt") : resume;
            using var checkpoint = Checkpoint.Load(resumeCheckpoint);
            config = TrainConfig.FromResolvedYaml(checkpoint.Config.ResolvedYaml, resumeCheckpoint, request.Overrides);
            // Refused before anything is written.
            if (checkpoint.State.NothingToTrain(config.Trainer.MaxEpochs, "trainer.max_epochs") is { } nothing)
            {
                throw new ConfigException(resumeCheckpoint, "trainer.max_epochs", nothing);
            }
        }
        else
        {
            config = TrainConfig.Load(request.ConfigRoot, request.Experiment, request.Overrides);
        }

        // A refused log folder must not leave a generated dataset behind; a refused data directory no run folder.
        var logRoot =
            resumeCheckpoint is null && request.RunDirectory is null
                ? ConfigPaths.InsideWorkspace(config.LogDir, config.LogDirOrigin, "paths.log_dir", workspace)
                : null;
        // A run continues in its own folder; any other folder given must be new or empty (checked before the dataset
        // is generated, made after it loaded).
        var resumedRun = resumeCheckpoint is null ? null : RunDirectory.OfCheckpoint(resumeCheckpoint).Path;
        var run = request.RunDirectory is { } dir && !SameFolder(dir, resumedRun) ? RunDirectory.ForNewRun(dir) : null;
        var dataset = DatasetProvider.Ensure(config.Data, workspace, request.DataDirectory, progress);
        run = run?.Create()
            ?? (
                resumedRun is not null
                    ? RunDirectory.At(resumedRun)
                    : RunDirectory.CreateTimestamped(logRoot!, config.TaskName, DateTime.Now)
            );

        progress.Message($"run directory: {run.Path}");
        try
        {
            return new Trainer(config, progress).Fit(dataset, run, resumeCheckpoint, cancellation);
        }
        catch
        {
            run.RemoveIfEmpty();
            throw;
        }
    }

    private static bool SameFolder(string folder, string? other) =>
        other is not null
        && Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)) == Path.TrimEndingDirectorySeparator(other);
}

/// <summary>
/// Loads the configured dataset, generating it first when its directory does not exist yet. The generator only
/// writes into a directory it creates, an empty one or one it made (see DatasetGenerator), so an existing folder
/// without a dataset is refused rather than filled.
/// </summary>
public static class DatasetProvider
{
    public static VimhDataset Ensure(
        DataSettings data,
        string workspace,
        string? directoryOverride,
        ProgressReporter progress
    )
    {
        var directory = Path.GetFullPath(
            directoryOverride ?? ConfiguredDirectory(data.Directory, workspace, data.DirectoryOrigin)
        );
        if (File.Exists(Path.Combine(directory, VimhFormat.InfoFileName)))
        {
            return VimhDataset.Load(directory);
        }

        if (directoryOverride is not null)
        {
            throw new VimhDataException($"{directory}: no VIMH dataset here ({VimhFormat.InfoFileName} missing)");
        }

        var generatorPath = Path.Combine(workspace, data.Generator);
        var overrides = data.Size is { } size ? new[] { $"dataset.size={size}" } : [];
        var generator = GeneratorConfig.Load(generatorPath, overrides);
        progress.Message($"dataset {directory} not found: generating {generator.DatasetName} from {data.Generator}");
        DatasetGenerator.Generate(
            generator,
            new GenerationOptions { OutputDirectory = directory, WriteReports = false }
        );
        return VimhDataset.Load(directory);
    }

    /// <summary>
    /// data.dir: a path from a config stays inside the workspace (the generator writes there); an absolute path from
    /// the command line is taken as written. The command line's --data is the other way to read a dataset elsewhere.
    /// </summary>
    public static string ConfiguredDirectory(string dataDir, string workspace, string? origin = null) =>
        ConfigPaths.InsideWorkspace(dataDir, origin, "data.dir", workspace);
}
