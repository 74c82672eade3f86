namespace Nsmt.Tests.Snapshots;

/// <summary>
/// Finds test source files at run time. CI builds map source paths to "/_/" (deterministic builds), so a
/// [CallerFilePath] may not exist as written: it is then taken relative to the repository root, found by walking
/// up from the test assembly to the directory holding Pipeline.sln.
/// </summary>
internal static class SourceLocator
{
    private static readonly Lazy<string?> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Pipeline.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    });

    public static string? RepositoryRoot => Root.Value;

    public static string Resolve(string callerFilePath)
    {
        if (File.Exists(callerFilePath))
        {
            return callerFilePath;
        }

        var normalized = callerFilePath.Replace('\\', '/');
        var mapped = normalized.IndexOf("/_/", StringComparison.Ordinal);
        if (mapped >= 0 && RepositoryRoot is { } root)
        {
            var candidate = Path.Combine(root, normalized[(mapped + 3)..]);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            $"cannot find the test source file {callerFilePath} (repository root: {RepositoryRoot ?? "not found"})"
        );
    }
}
