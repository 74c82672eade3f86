using System.Globalization;
using System.Text.RegularExpressions;

namespace Nsmt.Pipeline.Definition;

/// <summary>
/// What a stage asks of a batch scheduler (pipeline.yaml <c>resources:</c>): CPUs, memory, a time limit and generic
/// resources such as GPUs. Where it runs never changes what it computes, so none of this is part of the fingerprint;
/// the local executor ignores it.
/// </summary>
public sealed partial record StageResources(
    int? Cpus = null,
    string? Memory = null,
    string? Time = null,
    string? Gres = null
)
{
    public static readonly StageResources None = new();

    public static readonly string[] Fields = ["cpus", "memory", "time", "gres"];

    /// <summary>Checks one field's value; the message names the field and what it expects.</summary>
    public static StageResources With(StageResources current, string field, string value, string where) =>
        field switch
        {
            "cpus" => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var cpus) && cpus > 0
                ? current with
                {
                    Cpus = cpus,
                }
                : throw new PipelineException($"{where}.cpus: '{value}' is not a positive whole number of CPUs"),
            "memory" => MemoryPattern().IsMatch(value)
                ? current with
                {
                    Memory = value.ToUpperInvariant(),
                }
                : throw new PipelineException(
                    $"{where}.memory: '{value}' is not a size like 512M, 4G or 1T (Slurm's --mem)"
                ),
            "time" => TimePattern().IsMatch(value)
                ? current with
                {
                    Time = value,
                }
                : throw new PipelineException(
                    $"{where}.time: '{value}' is not a Slurm time limit (MM, HH:MM:SS, D-HH or D-HH:MM:SS)"
                ),
            "gres" => GresPattern().IsMatch(value)
                ? current with
                {
                    Gres = value,
                }
                : throw new PipelineException(
                    $"{where}.gres: '{value}' is not a generic resource like gpu:1 or gpu:a100:2"
                ),
            _ => throw new PipelineException(
                $"{where}: unknown field '{field}' (expected {string.Join(", ", Fields)})"
            ),
        };

    [GeneratedRegex("^[0-9]+[KMGTkmgt]?$")]
    private static partial Regex MemoryPattern();

    [GeneratedRegex(@"^([0-9]+(:[0-9]{1,2}){0,2}|[0-9]+-[0-9]{1,2}(:[0-9]{1,2}){0,2})$")]
    private static partial Regex TimePattern();

    [GeneratedRegex("^[A-Za-z0-9_]+(:[A-Za-z0-9_.-]+)*(,[A-Za-z0-9_]+(:[A-Za-z0-9_.-]+)*)*$")]
    private static partial Regex GresPattern();
}
