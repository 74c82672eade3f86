using System.Text;
using Nsmt.Pipeline.Hashing;

namespace Nsmt.Pipeline.Fingerprints;

/// <summary>
/// A stage's code identity: hashes of the built files that make up its program, and the versions of the packages
/// it uses (a package version fixes its bytes, so hashing them again would only cost time).
/// </summary>
public sealed record CodeIdentity(SortedDictionary<string, string> Files, SortedDictionary<string, string> Packages)
{
    public static CodeIdentity Empty => new(new(StringComparer.Ordinal), new(StringComparer.Ordinal));
}

/// <summary>
/// Everything a stage's result depends on. Its fingerprint is the SHA-256 of its canonical JSON (keys sorted,
/// no whitespace), so equal parts always give the same fingerprint, on any machine and in any checkout location.
/// </summary>
public sealed record FingerprintParts(
    IReadOnlyList<string> Command,
    CodeIdentity Code,
    SortedDictionary<string, string> Deps,
    SortedDictionary<string, SortedDictionary<string, ParamValue>> Params,
    ParamValue Seed,
    SortedDictionary<string, string> Tools,
    IReadOnlyList<string> Outs
)
{
    /// <summary>The params section holding <c>--set</c> overrides, named so it cannot clash with a file path.</summary>
    public const string OverridesSection = "--set";

    public string ToCanonicalJson()
    {
        var sb = new StringBuilder("{");
        sb.Append("\"cmd\":");
        WriteArray(sb, Command);
        sb.Append(",\"code\":{\"files\":");
        WriteMap(sb, Code.Files);
        sb.Append(",\"packages\":");
        WriteMap(sb, Code.Packages);
        sb.Append("},\"deps\":");
        WriteMap(sb, Deps);
        sb.Append(",\"outs\":");
        WriteArray(sb, Outs);
        sb.Append(",\"params\":{");
        var first = true;
        foreach (var (file, values) in Params)
        {
            if (!first)
            {
                sb.Append(',');
            }

            first = false;
            ParamValue.WriteJsonString(sb, file);
            sb.Append(':').Append(ParamValue.Map(values).ToCanonicalJson());
        }

        sb.Append("},\"seed\":").Append(Seed.ToCanonicalJson());
        sb.Append(",\"tools\":");
        WriteMap(sb, Tools);
        sb.Append('}');
        return sb.ToString();
    }

    public string ComputeFingerprint() => ContentHasher.HashText(ToCanonicalJson());

    private static void WriteArray(StringBuilder sb, IEnumerable<string> items)
    {
        sb.Append('[');
        var first = true;
        foreach (var item in items)
        {
            if (!first)
            {
                sb.Append(',');
            }

            first = false;
            ParamValue.WriteJsonString(sb, item);
        }

        sb.Append(']');
    }

    private static void WriteMap(StringBuilder sb, SortedDictionary<string, string> map)
    {
        sb.Append('{');
        var first = true;
        foreach (var (k, v) in map)
        {
            if (!first)
            {
                sb.Append(',');
            }

            first = false;
            ParamValue.WriteJsonString(sb, k);
            sb.Append(':');
            ParamValue.WriteJsonString(sb, v);
        }

        sb.Append('}');
    }
}
