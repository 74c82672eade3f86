using static TorchSharp.torch;

namespace Nsmt.Neural.IO;

/// <summary>
/// Loads a state dict into a module, naming every difference (missing or unexpected keys, shapes, dtypes) in one
/// message before anything is copied, so a mismatched checkpoint never leaves a half-loaded model behind.
/// </summary>
public static class StateDicts
{
    /// <summary>
    /// Refuses a checkpoint (<paramref name="path"/>) whose weights do not fit the configured model, naming the first
    /// weight they disagree on: what a user who resumed or exported with another model preset or size needs to read.
    /// </summary>
    public static void RequireFit(
        IReadOnlyDictionary<string, Tensor> model,
        IReadOnlyDictionary<string, Tensor> checkpoint,
        string path
    )
    {
        if (FirstMismatch(model, checkpoint) is { } mismatch)
        {
            throw new InvalidDataException(
                $"{path}: the checkpoint does not fit the configured model: {mismatch} "
                    + "(was it trained with another model preset or size?)"
            );
        }
    }

    /// <summary>The first weight a module's state and a checkpoint's disagree on (name or shape), in words, or null when they fit.</summary>
    public static string? FirstMismatch(
        IReadOnlyDictionary<string, Tensor> model,
        IReadOnlyDictionary<string, Tensor> checkpoint
    )
    {
        static string Shape(Tensor t) => "[" + string.Join(", ", t.shape) + "]";
        if (model.Keys.FirstOrDefault(k => !checkpoint.ContainsKey(k)) is { } missing)
        {
            return $"the model's weight '{missing}' {Shape(model[missing])} is not in it";
        }

        if (checkpoint.Keys.FirstOrDefault(k => !model.ContainsKey(k)) is { } extra)
        {
            return $"its weight '{extra}' {Shape(checkpoint[extra])} is not one of the model's";
        }

        return model.Keys.FirstOrDefault(k => !model[k].shape.SequenceEqual(checkpoint[k].shape)) is { } differs
            ? $"weight '{differs}' is {Shape(checkpoint[differs])} in it and {Shape(model[differs])} in the model"
            : null;
    }

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
