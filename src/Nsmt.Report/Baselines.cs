using System.Globalization;

namespace Nsmt.Report;

/// <summary>
/// The yardsticks the report's summary sets the headline figures against: the accuracy the same model reached on the
/// same data in plain PyTorch (NAM's ESR grades are <see cref="Outputs.NamGrades"/>, shared with the amp stages).
/// </summary>
public static class Baselines
{
    /// <summary>A PyTorch reference accuracy and what to know about it.</summary>
    public sealed record Reference(double Accuracy, string? Note);

    public const string ReferenceSource =
        "the template's recipe (constant lr 0.002, dropout 0.3, 15 epochs) in plain PyTorch, same model, data and seed, best epoch (bench/train-parity/RESULTS.md); a better recipe (bench/quality/RESULTS.md) can pass it";

    // bench/train-parity/RESULTS.md (2026-12-05): simple_saw-16384, seed 12345, PyTorch best-epoch accuracy.
    // Copied rather than read at report time: the report depends only on the Report stage's declared inputs.
    private static readonly Dictionary<(string Model, string Data, string Head), Reference> PyTorch = new()
    {
        [("cnn_micro", "simple_saw_16384", "note_velocity")] = new(
            0.515,
            "126 and 127 give identical images: the majority class is the best any model can do"
        ),
        [("cnn_micro", "simple_saw_16384", "log10_decay_time")] = new(0.789, null),
        [("cnn_tiny", "simple_saw_16384", "note_velocity")] = new(
            0.515,
            "126 and 127 give identical images: the majority class is the best any model can do"
        ),
        [("cnn_tiny", "simple_saw_16384", "log10_decay_time")] = new(0.903, null),
        [("vit_micro", "simple_saw_16384", "note_velocity")] = new(
            0.515,
            "126 and 127 give identical images: the majority class is the best any model can do"
        ),
        [("vit_micro", "simple_saw_16384", "log10_decay_time")] = new(0.894, null),
    };

    /// <summary>The PyTorch reference for a model config, dataset config and head, where one was measured.</summary>
    public static Reference? PyTorchReference(string? model, string? data, string head) =>
        model is not null && data is not null && PyTorch.TryGetValue((model, data, head), out var r) ? r : null;

    public static string Format(double value, string format = "0.000") =>
        value.ToString(format, CultureInfo.InvariantCulture);
}
