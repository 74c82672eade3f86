namespace Nsmt.Pipeline;

/// <summary>
/// Paths inside the workspace are stored relative to its root with '/' separators, so that the lock file and
/// fingerprints do not depend on where the checkout lives.
/// </summary>
public static class WorkspacePath
{
    /// <summary>Normalises a workspace-relative path; <paramref name="context"/> names where it came from.</summary>
    public static string Normalize(string path, string context)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new PipelineException($"{context}: empty path");
        }

        var p = path.Replace('\\', '/');
        if (p.StartsWith('/') || (p.Length > 1 && p[1] == ':'))
        {
            throw new PipelineException($"{context}: '{path}' must be relative to the workspace root, not absolute");
        }

        var parts = new List<string>();
        foreach (var part in p.Split('/'))
        {
            if (part.Length == 0 || part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                throw new PipelineException($"{context}: '{path}' must stay inside the workspace (no '..')");
            }

            parts.Add(part);
        }

        if (parts.Count == 0)
        {
            throw new PipelineException($"{context}: '{path}' names the workspace root itself");
        }

        return string.Join('/', parts);
    }

    /// <summary>True when <paramref name="inner"/> equals <paramref name="outer"/> or lies inside it.</summary>
    public static bool IsWithin(string inner, string outer) =>
        inner == outer
        || (
            inner.Length > outer.Length
            && inner.StartsWith(outer, StringComparison.Ordinal)
            && inner[outer.Length] == '/'
        );

    /// <summary>True when one of the two paths contains the other (or they are equal).</summary>
    public static bool Overlaps(string a, string b) => IsWithin(a, b) || IsWithin(b, a);

    public static string ToFull(string root, string relative) =>
        Path.Combine(root, relative.Replace('/', Path.DirectorySeparatorChar));
}
