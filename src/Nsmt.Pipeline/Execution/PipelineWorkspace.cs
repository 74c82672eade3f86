namespace Nsmt.Pipeline.Execution;

/// <summary>Where a pipeline keeps its state, relative to the workspace root.</summary>
public sealed class PipelineWorkspace(string root, string definitionFile = "pipeline.yaml")
{
    public string Root { get; } = Path.GetFullPath(root);

    public string DefinitionFile { get; } = definitionFile;

    /// <summary>The lock file (committed-style record of the last results), relative.</summary>
    public string LockFileRelative { get; init; } = "artifacts/pipeline.lock";

    /// <summary>Everything else lives under here (git-ignored).</summary>
    public string CacheRelative { get; init; } = ".cache/pipeline";

    /// <summary>Files changed this close to being hashed are not remembered by the stat cache (see <see cref="Hashing.StatCache"/>).</summary>
    public long StatCacheRacyMarginNs { get; init; } = Hashing.StatCache.RacyMarginNs;

    public string LockFile => Full(LockFileRelative);

    public string CacheDirectory => Full(CacheRelative);

    public string StatCacheFile => Path.Combine(CacheDirectory, "stat-cache.tsv");

    public string RunCacheDirectory => CacheDirectory;

    /// <summary>What stage programs reported they read of their configs, kept while those files are unchanged.</summary>
    public string ReadsCacheDirectory => Path.Combine(CacheDirectory, "reads");

    public string WorkspaceLockFile => Path.Combine(CacheDirectory, "lock");

    /// <summary>Relative temporary directory of a stage: outputs are written here and moved into place on success.</summary>
    public string TempRelative(string stage) => $"{CacheRelative}/tmp/{stage}";

    public string Full(string relative) => WorkspacePath.ToFull(Root, relative);

    /// <summary>The workspace containing <paramref name="start"/>: the nearest directory upwards holding the definition file.</summary>
    public static string FindRoot(string start, string definitionFile = "pipeline.yaml")
    {
        for (var dir = new DirectoryInfo(Path.GetFullPath(start)); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, definitionFile)))
            {
                return dir.FullName;
            }
        }

        throw new PipelineException($"no {definitionFile} in {Path.GetFullPath(start)} or any directory above it");
    }
}
