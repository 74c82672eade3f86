using YamlDotNet.RepresentationModel;

namespace Nsmt.Config;

/// <summary>A structural problem of a YAML document, at a 1-based line and column of its file.</summary>
public sealed record YamlProblem(long Line, long Column, string Message);

/// <summary>
/// Checks a loaded YAML document before a config reader walks it. YamlDotNet keeps an alias as a second reference
/// to the anchored node, so the loaded document is small, but a reader that converts it node by node expands every
/// alias: nine levels of nine aliases ("billion laughs") become 387 million values and gigabytes of memory. The
/// expanded size is computed here without expanding (each node is sized once) and refused above a bound no real
/// config comes near. Tags are checked on the way: a tag such as <c>!!python/object</c> or <c>!custom</c> means
/// the file expects a loader feature we do not have, so it is refused rather than silently read as plain text.
/// <see cref="ConfigYaml"/> runs this on every document before converting it.
/// </summary>
public static class YamlGuard
{
    /// <summary>Values (mapping keys, values, list items) a document may expand to; real configs have a few hundred.</summary>
    public const int MaxExpandedNodes = 100_000;

    /// <summary>Nesting depth; real configs nest 3-4 levels. Keeps the recursive readers far from a stack overflow.</summary>
    public const int MaxDepth = 64;

    /// <summary>Bytes of one config file; real configs are a few kB. Files are read whole, so this is checked first.</summary>
    public const int MaxFileBytes = 1 << 20;

    private const string CoreTagPrefix = "tag:yaml.org,2002:";

    /// <summary>
    /// The file's text (UTF-8, or as its byte order mark says), as <see cref="File.ReadAllText(string)"/> but refusing
    /// files over <see cref="MaxFileBytes"/> before reading them, and stopping there for files of unknown length
    /// (a pipe, /dev/zero). Throws <see cref="IOException"/>, which every config reader reports naming the file.
    /// </summary>
    public static string ReadText(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 12);
        if (stream.CanSeek && stream.Length > MaxFileBytes)
        {
            throw new IOException(
                $"the file is {stream.Length} bytes, expected at most {MaxFileBytes} (YamlGuard.MaxFileBytes)"
            );
        }

        // A file decodes to at most as many chars as it has bytes; one more char tells a file that grew (or has no
        // length) from one that fits.
        var capacity = stream.CanSeek ? (int)stream.Length + 1 : MaxFileBytes + 1;
        using var reader = new StreamReader(stream);
        var buffer = new char[capacity];
        var read = reader.ReadBlock(buffer, 0, buffer.Length);
        if (read == capacity)
        {
            throw new IOException(
                stream.CanSeek
                    ? "the file grew while it was read"
                    : $"the file is more than {MaxFileBytes} bytes, expected at most {MaxFileBytes} (YamlGuard.MaxFileBytes)"
            );
        }

        return new string(buffer, 0, read);
    }

    /// <summary>The YAML core schema's tags (<c>!!str</c> ...): they agree with how the readers read values.</summary>
    private static readonly HashSet<string> StandardTags =
    [
        .. new[] { "str", "int", "float", "bool", "null", "map", "seq" }.Select(t => CoreTagPrefix + t),
    ];

    /// <summary>
    /// The first problem of the document, or null when it is safe to walk. <paramref name="maxValues"/>: the expanded
    /// size allowed, <see cref="MaxExpandedNodes"/> for a config; a file bounded by its own size limit (the pipeline
    /// lock) passes a larger one.
    /// </summary>
    public static YamlProblem? FindProblem(YamlNode root, long maxValues = MaxExpandedNodes)
    {
        var walk = new Walk(maxValues);
        try
        {
            walk.Size(root, 1);
            return null;
        }
        catch (ProblemFound found)
        {
            return found.Problem;
        }
    }

    /// <summary>The first problem of the stream's first document (the one readers use), or null.</summary>
    public static YamlProblem? FindProblem(YamlStream stream) =>
        stream.Documents.Count == 0 ? null : FindProblem(stream.Documents[0].RootNode);

    private sealed class ProblemFound(YamlProblem problem) : Exception(problem.Message)
    {
        public YamlProblem Problem { get; } = problem;
    }

    private sealed class Walk(long maxValues)
    {
        // By reference: an alias is the same node object as its anchor, and YamlNode's own equality is structural.
        private readonly Dictionary<YamlNode, (long Size, int Height)> _sized = new(ReferenceEqualityComparer.Instance);
        private readonly HashSet<YamlNode> _open = new(ReferenceEqualityComparer.Instance);

        /// <summary>The node's expanded size; <paramref name="depth"/> is its level in the expanded tree (root 1).</summary>
        public long Size(YamlNode node, int depth)
        {
            if (_sized.TryGetValue(node, out var known))
            {
                // An aliased subtree sits deeper here than where it was first sized.
                if (depth + known.Height - 1 > MaxDepth)
                {
                    throw Problem(node, $"nested more than {MaxDepth} levels deep (YamlGuard.MaxDepth)");
                }

                return known.Size;
            }

            if (!_open.Add(node))
            {
                throw Problem(node, "an alias refers to a node that contains it (a recursive structure)");
            }

            if (depth > MaxDepth)
            {
                throw Problem(node, $"nested more than {MaxDepth} levels deep (YamlGuard.MaxDepth)");
            }

            CheckTag(node);
            long size = 1;
            var height = 1;
            var children = node switch
            {
                YamlMappingNode map => map.Children.SelectMany(pair => new[] { pair.Key, pair.Value }),
                YamlSequenceNode sequence => sequence.Children,
                _ => [],
            };
            foreach (var child in children)
            {
                size += Size(child, depth + 1);
                height = Math.Max(height, 1 + _sized[child].Height);
                if (size > maxValues)
                {
                    var limit = maxValues == MaxExpandedNodes ? " (YamlGuard.MaxExpandedNodes)" : "";
                    throw Problem(
                        node,
                        $"the document expands to more than {maxValues} values{limit}; "
                            + "aliases (*name) repeat what they point at, and this looks like an alias bomb"
                    );
                }
            }

            _open.Remove(node);
            _sized[node] = (size, height);
            return size;
        }

        private static void CheckTag(YamlNode node)
        {
            var tag = node.Tag;
            if (tag.IsEmpty || tag.IsNonSpecific || StandardTags.Contains(tag.Value))
            {
                return;
            }

            var shown = tag.Value.StartsWith(CoreTagPrefix, StringComparison.Ordinal)
                ? "!!" + tag.Value[CoreTagPrefix.Length..]
                : tag.Value;
            throw Problem(
                node,
                $"unsupported YAML tag '{shown}': expected no tag or one of !!str, !!int, !!float, !!bool, !!null, !!map, !!seq "
                    + "(configs are plain data; tags that construct objects are not supported)"
            );
        }

        private static ProblemFound Problem(YamlNode node, string message) =>
            new(new YamlProblem(node.Start.Line, node.Start.Column, message));
    }
}
