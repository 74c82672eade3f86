namespace Nsmt.Config;

/// <summary>
/// Output locations named by configs (a dataset directory, a log folder). A config file, perhaps someone else's,
/// must not make a program write next to or above the checkout: a path from a config resolves against the
/// workspace and must stay inside it. Only a person at the command line may point elsewhere, with an absolute path
/// in an override (or the program's own option, e.g. --data).
/// </summary>
public static class ConfigPaths
{
    /// <summary>The full path of <paramref name="value"/>; <paramref name="origin"/> is where the value was set.</summary>
    public static string InsideWorkspace(string value, string? origin, string key, string workspace)
    {
        ArgumentNullException.ThrowIfNull(value);
        var root = Path.GetFullPath(workspace);
        if (Path.IsPathRooted(value) && ConfigOverride.IsOverride(origin))
            return Path.GetFullPath(value);
        var full = Path.GetFullPath(Path.Combine(root, value));
        var relative = Path.GetRelativePath(root, full);
        if (relative == ".." || relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal) || Path.IsPathRooted(relative))
        {
            throw new ConfigException(origin ?? "config", key,
                $"expected a path that stays inside the workspace {root}, got '{value}' (resolves to {full}); a path from a config "
                + "must stay inside the workspace (an absolute path given on the command line may point elsewhere)");
        }
        return full;
    }
}
