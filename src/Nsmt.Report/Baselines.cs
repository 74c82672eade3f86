using System.Globalization;

namespace Nsmt.Report;

/// <summary>
/// The yardsticks the report's summary sets the headline figures against: NAM's ESR grades and the accuracy the
/// same model reached on the same data in plain PyTorch.
/// </summary>
public static class Baselines
{
    /// <summary>NAM's quality grades by validation ESR (shared/specs/amp-modeling.md): upper bound, grade.</summary>
    public static IReadOnlyList<(double Below, string Grade)> NamGrades { get; } =
    [
        (0.01, "great"),
        (0.035, "not bad"),
        (0.1, "might sound ok"),
        (0.3, "probably won't sound great"),
    ];

    public const string NamGradesText = "NAM's grades by validation ESR: < 0.01 great, < 0.035 not bad, < 0.1 might sound ok, < 0.3 probably won't sound great, else something went wrong; ESR 1 is what outputting silence scores";

    /// <summary>NAM's grade for an ESR.</summary>
    public static string NamGrade(double esr) =>
        NamGrades.FirstOrDefault(g => esr < g.Below).Grade ?? "something went wrong";

    /// <summary>The next better grade and the ESR it needs, or null at the best grade.</summary>
    public static (double Below, string Grade)? NextNamGrade(double esr)
    {
        int index = NamGrades.ToList().FindIndex(g => esr < g.Below);
        return index switch
        {
            0 => null,
            < 0 => NamGrades[^1],
            _ => NamGrades[index - 1],
        };
    }

    /// <summary>A PyTorch reference accuracy and what to know about it.</summary>
    public sealed record Reference(double Accuracy, string? Note);

    public const string ReferenceSource = "the template's recipe (constant lr 0.002, dropout 0.3, 15 epochs) in plain PyTorch, same model, data and seed, best epoch (bench/train-parity/RESULTS.md); a better recipe (bench/quality/RESULTS.md) can pass it";

    // bench/train-parity/RESULTS.md (2026-12-05): simple_saw-16384, seed 12345, PyTorch best-epoch accuracy.
    // Copied rather than read at report time: the report depends only on the Compare stage's declared inputs.
    private static readonly Dictionary<(string Model, string Data, string Head), Reference> PyTorch = new()
    {
        [("cnn_micro", "simple_saw_16384", "note_velocity")] = new(0.515, "126 and 127 give identical images: the majority class is the best any model can do"),
        [("cnn_micro", "simple_saw_16384", "log10_decay_time")] = new(0.789, null),
        [("cnn_tiny", "simple_saw_16384", "note_velocity")] = new(0.515, "126 and 127 give identical images: the majority class is the best any model can do"),
        [("cnn_tiny", "simple_saw_16384", "log10_decay_time")] = new(0.903, null),
        [("vit_micro", "simple_saw_16384", "note_velocity")] = new(0.515, "126 and 127 give identical images: the majority class is the best any model can do"),
        [("vit_micro", "simple_saw_16384", "log10_decay_time")] = new(0.894, null),
    };

    /// <summary>The PyTorch reference for a model config, dataset config and head, where one was measured.</summary>
    public static Reference? PyTorchReference(string? model, string? data, string head) =>
        model is not null && data is not null && PyTorch.TryGetValue((model, data, head), out var r) ? r : null;

    public static string Format(double value, string format = "0.000") => value.ToString(format, CultureInfo.InvariantCulture);
}
