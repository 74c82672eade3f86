using Nsmt.Pipeline.Definition;

namespace Nsmt.Pipeline.Fingerprints;

/// <summary>
/// A <c>--set [STAGE:]key=value</c> override. It goes to every stage whose params include the key (like changing a
/// value in DVC's params.yaml), or to the named stage (definition, instance or phase name); the stage receives it
/// as a <c>key=value</c> argument and it is part of the stage's params.
/// </summary>
public sealed record ParamOverride(string? StageFilter, string Key, string ValueText)
{
    public ParamValue Value => ParamValue.FromScalar(ValueText, plain: true);

    public string Argument => $"{Key}={ValueText}";

    public static ParamOverride Parse(string text)
    {
        var eq = text.IndexOf('=');
        if (eq <= 0)
        {
            throw new PipelineException(
                $"--set '{text}': expected [STAGE:]key=value, e.g. --set optimizer.lr=0.01 or --set train:trainer.max_epochs=2"
            );
        }

        var left = text[..eq].Trim();
        var value = text[(eq + 1)..];
        var colon = left.IndexOf(':');
        var stage = colon > 0 ? left[..colon] : null;
        var key = colon > 0 ? left[(colon + 1)..] : left;
        if (key.Length == 0 || key.Any(char.IsWhiteSpace))
        {
            throw new PipelineException($"--set '{text}': '{key}' is not a parameter key");
        }

        return new ParamOverride(stage, key, value);
    }

    public bool TargetsStage(Stage stage) =>
        StageFilter is not null
        && (
            StageFilter == stage.Name
            || StageFilter == stage.Definition
            || string.Equals(StageFilter, stage.Phase, StringComparison.OrdinalIgnoreCase)
        );

    /// <summary>Assigns each override to its stages; an override no stage takes is an error naming it.</summary>
    public static Dictionary<string, List<ParamOverride>> Route(
        IReadOnlyList<ParamOverride> overrides,
        IReadOnlyList<Stage> stages,
        Func<Stage, string, bool> reads
    )
    {
        var routed = stages.ToDictionary(s => s.Name, _ => new List<ParamOverride>(), StringComparer.Ordinal);
        foreach (var o in overrides)
        {
            var takers = o.StageFilter is not null
                ? stages.Where(o.TargetsStage).ToList()
                : stages.Where(s => reads(s, o.Key)).ToList();
            if (takers.Count == 0)
            {
                throw new PipelineException(
                    o.StageFilter is not null
                        ? $"--set {o.StageFilter}:{o.Argument}: no stage named '{o.StageFilter}' in this pipeline (stages: {string.Join(", ", stages.Select(s => s.Name))})"
                        : $"--set {o.Argument}: no stage's params include '{o.Key}'; name the stage explicitly: --set STAGE:{o.Argument}"
                );
            }

            foreach (var s in takers)
            {
                routed[s.Name].RemoveAll(x => x.Key == o.Key);
                routed[s.Name].Add(o);
            }
        }

        return routed;
    }
}
