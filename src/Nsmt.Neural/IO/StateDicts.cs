using static TorchSharp.torch;

namespace Nsmt.Neural.IO;

/// <summary>
/// Loads a state dict into a module, naming every difference (missing or unexpected keys, shapes, dtypes) in one
/// message before anything is copied, so a mismatched checkpoint never leaves a half-loaded model behind.
/// </summary>
public static class StateDicts
{
    public static (IReadOnlyList<string> Missing, IReadOnlyList<string> Unexpected) Load(
        nn.Module module,
        IReadOnlyDictionary<string, Tensor> source,
        bool strict = true,
        string? origin = null
    )
    {
        var target = module.state_dict();
        var missing = target.Keys.Where(k => !source.ContainsKey(k)).ToList();
        var unexpected = source.Keys.Where(k => !target.ContainsKey(k)).ToList();
        var problems = new List<string>();
        foreach (var (name, t) in target)
        {
            if (!source.TryGetValue(name, out var s))
            {
                continue;
            }

            if (!s.shape.SequenceEqual(t.shape))
            {
                problems.Add(
                    $"'{name}': shape [{string.Join(", ", s.shape)}] in the source, [{string.Join(", ", t.shape)}] in the model"
                );
            }
            else if (s.dtype != t.dtype)
            {
                problems.Add($"'{name}': dtype {s.dtype} in the source, {t.dtype} in the model");
            }
        }
        if (strict)
        {
            problems.AddRange(missing.Select(k => $"'{k}': missing from the source"));
            problems.AddRange(unexpected.Select(k => $"'{k}': not a parameter or buffer of {module.TypeName()}"));
        }
        if (problems.Count > 0)
        {
            throw new ArgumentException(
                (origin is null ? "" : $"'{origin}': ")
                    + $"state dict does not match {module.TypeName()}:\n  "
                    + string.Join("\n  ", problems)
            );
        }

        using (no_grad())
        {
            foreach (var (name, t) in target)
            {
                if (source.TryGetValue(name, out var s))
                {
                    t.copy_(s);
                }
            }
        }

        return (missing, unexpected);
    }
}
