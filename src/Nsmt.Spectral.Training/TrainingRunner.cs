using Nsmt.Spectral.Training.Config;
using Nsmt.Runs;
using Nsmt.Spectral.Data;
using Nsmt.Spectral.Data.Generation;
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
    public static TrainResult Run(TrainRequest request, ProgressReporter progress, CancellationToken cancellation = default)
    {
        var workspace = Path.GetDirectoryName(Path.GetFullPath(request.ConfigRoot).TrimEnd(Path.DirectorySeparatorChar)) ?? ".";
        string? resumeCheckpoint = null;
        TrainConfig config;
        if (request.ResumeFrom is { } resume)
        {
            resumeCheckpoint = Directory.Exists(resume) ? Path.Combine(resume, "checkpoints", "last.ckpt") : resume;
            using (var checkpoint = Checkpoint.Load(resumeCheckpoint))
                config = TrainConfig.FromResolvedYaml(checkpoint.Config.ResolvedYaml, resumeCheckpoint, request.Overrides);
        }
        else
        {
            config = TrainConfig.Load(request.ConfigRoot, request.Experiment, request.Overrides);
        }

        // The dataset first: a refused data directory must not leave an empty run folder behind.
        var dataset = DatasetProvider.Ensure(config.Data, workspace, request.DataDirectory, progress);
        RunDirectory run;
        if (resumeCheckpoint is not null)
        {
            // A run continues in its own folder unless told otherwise.
            var runPath = request.RunDirectory ?? Path.GetDirectoryName(Path.GetDirectoryName(Path.GetFullPath(resumeCheckpoint)))!;
            run = RunDirectory.At(runPath);
        }
        else
        {
            run = request.RunDirectory is { } dir
                ? RunDirectory.At(dir)
                : RunDirectory.CreateTimestamped(Path.Combine(workspace, config.LogDir), config.TaskName, DateTime.Now);
        }

        progress.Message($"run directory: {run.Path}");
        return new Trainer(config, progress).Fit(dataset, run, resumeCheckpoint, cancellation);
    }
}

/// <summary>
/// Loads the configured dataset, generating it first when its directory does not exist yet. The generator only
/// writes into a directory it creates, an empty one or one it made (see DatasetGenerator), so an existing folder
/// without a dataset is refused rather than filled.
/// </summary>
public static class DatasetProvider
{
    public static VimhDataset Ensure(DataSettings data, string workspace, string? directoryOverride, ProgressReporter progress)
    {
        var directory = Path.GetFullPath(directoryOverride ?? ConfiguredDirectory(data.Directory, workspace));
        if (File.Exists(Path.Combine(directory, VimhFormat.InfoFileName)))
            return VimhDataset.Load(directory);
        if (directoryOverride is not null)
            throw new VimhDataException($"{directory}: no VIMH dataset here ({VimhFormat.InfoFileName} missing)");

        var generatorPath = Path.Combine(workspace, data.Generator);
        var overrides = data.Size is { } size ? new[] { $"dataset.size={size}" } : [];
        var generator = GeneratorConfig.Load(generatorPath, overrides);
        progress.Message($"dataset {directory} not found: generating {generator.DatasetName} from {data.Generator}");
        DatasetGenerator.Generate(generator, new GenerationOptions { OutputDirectory = directory, WriteReports = false });
        return VimhDataset.Load(directory);
    }

    /// <summary>
    /// data.dir from a config: a relative path stays inside the workspace (a config, perhaps someone else's, must not
    /// make the generator write next to or above the checkout). An absolute path is taken as written; the command
    /// line's --data is the way to read a dataset elsewhere.
    /// </summary>
    public static string ConfiguredDirectory(string dataDir, string workspace)
    {
        if (Path.IsPathRooted(dataDir))
            return Path.GetFullPath(dataDir);
        var root = Path.GetFullPath(workspace);
        var full = Path.GetFullPath(Path.Combine(root, dataDir));
        var relative = Path.GetRelativePath(root, full);
        if (relative == ".." || relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal) || Path.IsPathRooted(relative))
        {
            throw new ConfigException($"field 'data.dir': expected a path that stays inside the workspace {root}, got '{dataDir}' "
                + $"(resolves to {full}); a relative data.dir must stay inside the workspace");
        }
        return full;
    }
}
