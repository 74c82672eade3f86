using System.Security.Cryptography;
using System.Text;

namespace Nsmt.Pipeline.Sweeps;

/// <summary>
/// One trial: the base experiment with some keys set. Its name is derived from the values alone
/// (<c>quick.trial-1a2b3c4d</c>), so the same values are the same experiment, with the same stages, fingerprints
/// and cached results, whichever sweep asks for them.
/// </summary>
public sealed record SweepTrial(string BaseExperiment, IReadOnlyList<KeyValuePair<string, string>> Assignments)
{
    public string Name
    {
        get
        {
            var canonical = new StringBuilder();
            foreach (var (k, v) in Assignments.OrderBy(a => a.Key, StringComparer.Ordinal))
            {
                canonical.Append(k).Append('=').Append(v).Append('\n');
            }

            return $"{BaseExperiment}.trial-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())))[..8]}";
        }
    }

    public string Describe() => string.Join(" ", Assignments.Select(a => $"{a.Key}={a.Value}"));
}
