using Nsmt.Pipeline.Fingerprints;
using Nsmt.Pipeline.State;

namespace Nsmt.Pipeline.Reporting;

/// <summary>Explains, part by part, why a stage's fingerprint differs from the one in the lock file.</summary>
public static class FingerprintDiff
{
    public static List<string> Explain(LockEntry recorded, FingerprintParts current)
    {
        var was = recorded.Parts;
        var reasons = new List<string>();
        if (!was.Command.SequenceEqual(current.Command))
        {
            reasons.Add($"command changed: `{string.Join(' ', was.Command)}` -> `{string.Join(' ', current.Command)}`");
        }

        Compare(
            reasons,
            was.Code.Files,
            current.Code.Files,
            changed: k => $"code changed: {k}",
            added: k => $"code added: {k}",
            removed: k => $"code removed: {k}"
        );
        Compare(
            reasons,
            was.Code.Packages,
            current.Code.Packages,
            changed: k => $"package changed: {k} {was.Code.Packages[k]} -> {current.Code.Packages[k]}",
            added: k => $"package added: {k} {current.Code.Packages[k]}",
            removed: k => $"package removed: {k}"
        );
        Compare(
            reasons,
            was.Deps,
            current.Deps,
            changed: k => $"dependency changed: {k}",
            added: k => $"dependency added: {k}",
            removed: k => $"dependency removed: {k}"
        );
        foreach (var file in was.Params.Keys.Union(current.Params.Keys).Order(StringComparer.Ordinal))
        {
            var before = was.Params.GetValueOrDefault(file) ?? new SortedDictionary<string, ParamValue>();
            var after = current.Params.GetValueOrDefault(file) ?? new SortedDictionary<string, ParamValue>();
            foreach (var key in before.Keys.Union(after.Keys).Order(StringComparer.Ordinal))
            {
                var had = before.TryGetValue(key, out var b);
                var has = after.TryGetValue(key, out var a);
                if (had && has && !a!.Equals(b))
                {
                    reasons.Add($"param changed: {file}: {key} {b} -> {a}");
                }
                else if (!had && has)
                {
                    reasons.Add($"param added: {file}: {key} = {a}");
                }
                else if (had && !has)
                {
                    reasons.Add($"param removed: {file}: {key} (was {b})");
                }
            }
        }

        if (!was.Seed.Equals(current.Seed))
        {
            reasons.Add($"seed changed: {was.Seed} -> {current.Seed}");
        }

        Compare(
            reasons,
            was.Tools,
            current.Tools,
            changed: k => $"tool changed: {k} {was.Tools[k]} -> {current.Tools[k]}",
            added: k => $"tool added: {k} {current.Tools[k]}",
            removed: k => $"tool removed: {k}"
        );
        if (!was.Outs.SequenceEqual(current.Outs))
        {
            reasons.Add(
                $"declared outputs changed: [{string.Join(", ", was.Outs)}] -> [{string.Join(", ", current.Outs)}]"
            );
        }

        if (reasons.Count == 0 && recorded.Fingerprint != current.ComputeFingerprint())
        {
            reasons.Add("fingerprint recorded by another version of the pipeline");
        }

        return reasons;
    }

    private static void Compare(
        List<string> reasons,
        SortedDictionary<string, string> before,
        SortedDictionary<string, string> after,
        Func<string, string> changed,
        Func<string, string> added,
        Func<string, string> removed
    )
    {
        foreach (var k in before.Keys.Union(after.Keys).Order(StringComparer.Ordinal))
        {
            var had = before.TryGetValue(k, out var b);
            var has = after.TryGetValue(k, out var a);
            if (had && has && a != b)
            {
                reasons.Add(changed(k));
            }
            else if (!had && has)
            {
                reasons.Add(added(k));
            }
            else if (had && !has)
            {
                reasons.Add(removed(k));
            }
        }
    }
}
