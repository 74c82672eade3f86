using System.Text;
using Nsmt.Core;

namespace Nsmt.Config;

/// <summary>
/// Hydra's <c>${other.key}</c>: a value that is exactly one reference becomes a copy of the referenced node (a number
/// stays a number, a mapping a mapping); references inside longer text are replaced by the referenced value's text.
/// References are absolute dotted keys of the composed config, resolved after every override, as Hydra does.
/// </summary>
public static class ConfigInterpolation
{
    /// <summary>References followed one through another; deeper is a cycle (a: ${b}, b: ${a}).</summary>
    public const int MaxChain = 32;

    public static void Resolve(ConfigMapping root)
    {
        foreach (var (path, _) in root.Leaves().ToList())
        {
            Replace(root, path, 0);
        }
    }

    private static ConfigNode? Replace(ConfigMapping root, string path, int chain)
    {
        var (parent, key) = Parent(root, path);
        var node = parent?[key!];
        if (node is not ConfigScalar { Text: var text } scalar || !text.Contains("${", StringComparison.Ordinal))
        {
            return node;
        }

        if (chain > MaxChain)
        {
            throw new ConfigException(
                scalar.Origin,
                path,
                $"interpolation chains more than {MaxChain} references deep (a cycle?)"
            );
        }

        ConfigNode resolved;
        if (text.StartsWith("${", StringComparison.Ordinal) && text.IndexOf('}') == text.Length - 1)
        {
            resolved = Target(root, text[2..^1], scalar, path, chain).Clone();
        }
        else
        {
            var sb = new StringBuilder();
            var at = 0;
            while (text.IndexOf("${", at, StringComparison.Ordinal) is var open and >= 0)
            {
                var close = text.IndexOf('}', open);
                if (close < 0)
                {
                    throw new ConfigException(scalar.Origin, path, $"expected '}}' closing the reference in '{text}'");
                }

                sb.Append(text, at, open - at);
                var target = Target(root, text[(open + 2)..close], scalar, path, chain);
                sb.Append(
                    target is ConfigScalar s
                        ? s.Text
                        : throw new ConfigException(
                            scalar.Origin,
                            path,
                            $"expected a reference to a single value inside '{text}', got a group of keys"
                        )
                );
                at = close + 1;
            }
            sb.Append(text, at, text.Length - at);
            resolved = new ConfigScalar(sb.ToString(), scalar.Origin, plain: false);
        }
        parent!.Set(key!, resolved);
        return resolved;
    }

    private static ConfigNode Target(ConfigMapping root, string reference, ConfigScalar at, string path, int chain)
    {
        var target = Replace(root, reference.Trim(), chain + 1);
        if (target is not null)
        {
            return target;
        }

        var known = root.Leaves().Select(l => l.Path);
        throw new ConfigException(
            at.Origin,
            path,
            $"expected a reference to a key of the config, got '${{{reference}}}'{NearestName.Suggestion(reference, known)}"
        );
    }

    private static (ConfigMapping? Parent, string? Key) Parent(ConfigMapping root, string path)
    {
        var parts = path.Split('.');
        var map = root;
        foreach (var part in parts[..^1])
        {
            map = map?[part] as ConfigMapping;
        }

        return (map, parts[^1]);
    }
}
