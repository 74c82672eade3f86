namespace Nsmt.Config;

/// <summary>
/// Output locations named by configs (a dataset directory, a log folder). A config file, perhaps someone else's,
/// must not make a program write next to or above the checkout: a path from a config resolves against the
/// workspace and must stay inside it, symbolic links followed (a link inside the workspace may point anywhere). Only
/// a person at the command line may point elsewhere, with an absolute path in an override (or the program's own
/// option, e.g. --data).
/// </summary>
public static class ConfigPaths
{
    /// <summary>Links followed while resolving one path; beyond this it is a loop (as the kernel's ELOOP).</summary>
    private const int MaxLinks = 40;

    /// <summary>The full path of <paramref name="value"/>; <paramref name="origin"/> is where the value was set.</summary>
    public static string InsideWorkspace(string value, string? origin, string key, string workspace)
    {
        ArgumentNullException.ThrowIfNull(value);
        var root = Path.GetFullPath(workspace);
        if (Path.IsPathRooted(value) && ConfigOverride.IsOverride(origin))
        {
            return Path.GetFullPath(value);
        }

        var full = Path.GetFullPath(Path.Combine(root, value));
        var real = RealPath(full);
        if (!IsInside(Path.GetRelativePath(root, full)) || !IsInside(Path.GetRelativePath(RealPath(root), real)))
        {
            var resolved = real == full ? full : $"{full}, and through a symbolic link {real}";
            throw new ConfigException(
                origin ?? "config",
                key,
                $"expected a path that stays inside the workspace {root}, got '{value}' (resolves to {resolved}); a path from a config "
                    + "must stay inside the workspace (an absolute path given on the command line may point elsewhere)"
            );
        }
        return full;
    }

    private static bool IsInside(string relative) =>
        relative != ".."
        && !relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal)
        && !Path.IsPathRooted(relative);

    /// <summary>
    /// The path with every symbolic link among its existing parts replaced by its target (realpath(3)); the parts that
    /// do not exist yet are kept as written, since nothing can redirect them until they are made.
    /// </summary>
    public static string RealPath(string fullPath)
    {
        ArgumentNullException.ThrowIfNull(fullPath);
        var path = Path.GetFullPath(fullPath);
        var root = Path.GetPathRoot(path) ?? "/";
        var pending = new Stack<string>(
            path[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries).Reverse()
        );
        var current = root;
        var links = 0;
        while (pending.TryPop(out var part))
        {
            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? root;
                continue;
            }
            if (part == ".")
            {
                continue;
            }

            var next = Path.Combine(current, part);
            var target = new FileInfo(next).LinkTarget;
            if (target is null)
            {
                current = next;
                continue;
            }
            if (++links > MaxLinks)
            {
                throw new IOException($"{fullPath}: too many levels of symbolic links");
            }
            // The target's own parts may be links too: resolve them from its start (the root, or the link's folder).
            foreach (
                var piece in target.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries).Reverse()
            )
            {
                pending.Push(piece);
            }

            if (Path.IsPathRooted(target))
            {
                current = Path.GetPathRoot(target) ?? root;
            }
        }
        return current;
    }
}
