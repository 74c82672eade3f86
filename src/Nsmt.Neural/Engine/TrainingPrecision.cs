using Nsmt.Core;
using Nsmt.Neural.Training;
using static TorchSharp.torch;

namespace Nsmt.Neural.Engine;

/// <summary>How a run computes its training steps (Lightning's <c>precision</c> names).</summary>
public enum PrecisionMode
{
    /// <summary>"32-true" (or "32"): everything in float32, the default.</summary>
    Float32,

    /// <summary>
    /// "bf16-mixed": forward and backward in bfloat16 on a copy of the weights; master weights, optimiser state, losses,
    /// metrics, normalisations and averaged weights in float32 (<see cref="Nsmt.Neural.Training.MixedPrecision{TModule}"/>).
    /// </summary>
    BFloat16Mixed,
}

/// <summary>
/// PyTorch's <c>torch.set_float32_matmul_precision</c> names for what CUDA's float32 matrix products and convolutions may
/// use: "high" lets them use TF32 tensor cores (10-bit mantissa inputs, float32 accumulation), "highest" keeps full float32.
/// </summary>
public enum MatmulPrecision
{
    High,
    Highest,
}

/// <summary>
/// The precision a run trains in, from <c>trainer.precision</c> / <c>training.precision</c> and
/// <c>trainer.float32_matmul_precision</c> / <c>training.float32_matmul_precision</c>, and what it did to the device:
/// <paramref name="Tf32"/> is the TF32 switch as set for a CUDA run (null: untouched, on the CPU and MPS).
/// </summary>
public sealed record TrainingPrecision(PrecisionMode Mode, bool? Tf32)
{
    /// <summary>The values <c>precision</c> accepts; "32" and "32-true" are the same.</summary>
    public static readonly string[] Choices = ["32-true", "32", "bf16-mixed"];

    /// <summary>The values <c>float32_matmul_precision</c> accepts.</summary>
    public static readonly string[] MatmulChoices = ["high", "highest"];

    public static TrainingPrecision Float32 { get; } = new(PrecisionMode.Float32, null);

    /// <summary>Lightning's name of the mode, as summary.json and the console say it.</summary>
    public string Name => NameOf(Mode);

    public static string NameOf(PrecisionMode mode) => mode == PrecisionMode.BFloat16Mixed ? "bf16-mixed" : "32-true";

    /// <summary>A config value of <c>precision</c>; anything else is an error naming <paramref name="field"/>.</summary>
    public static PrecisionMode Parse(string value, string field, string? origin = null) =>
        value.Trim().ToLowerInvariant() switch
        {
            "32-true" or "32" => PrecisionMode.Float32,
            "bf16-mixed" => PrecisionMode.BFloat16Mixed,
            _ => throw new NsmtInputException(
                origin,
                field,
                $"expected one of {string.Join(", ", Choices)}, got '{value}'"
            ),
        };

    /// <summary>A config value of <c>float32_matmul_precision</c>; anything else is an error naming <paramref name="field"/>.</summary>
    public static MatmulPrecision ParseMatmul(string value, string field, string? origin = null) =>
        value.Trim().ToLowerInvariant() switch
        {
            "high" => MatmulPrecision.High,
            "highest" => MatmulPrecision.Highest,
            _ => throw new NsmtInputException(
                origin,
                field,
                $"expected one of {string.Join(", ", MatmulChoices)}, got '{value}'"
            ),
        };

    public static string NameOf(MatmulPrecision precision) => precision == MatmulPrecision.Highest ? "highest" : "high";

    /// <summary>
    /// Whether CUDA's float32 matrix products (cuBLAS) and convolutions (cuDNN) may use TF32 on <paramref name="device"/>:
    /// on for "high", off for "highest"; null (the switch left alone) on any other device, where TF32 does not exist.
    /// </summary>
    public static bool? Tf32For(MatmulPrecision precision, TrainingDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        return device.Name.StartsWith("cuda", StringComparison.Ordinal) ? precision == MatmulPrecision.High : null;
    }

    /// <summary>Sets libtorch's TF32 switches as <see cref="Tf32For"/> decides, and returns the run's precision.</summary>
    public static TrainingPrecision Apply(PrecisionMode mode, MatmulPrecision matmul, TrainingDevice device)
    {
        var tf32 = Tf32For(matmul, device);
        if (tf32 is { } allow)
        {
            // PyTorch's defaults differ (cuBLAS off, cuDNN on); float32_matmul_precision sets both the same way, as
            // Lightning users expect from "high".
            backends.cuda.matmul.allow_tf32 = allow;
            backends.cudnn.allow_tf32 = allow;
        }

        return new(mode, tf32);
    }

    /// <summary>The summary.json record: the mode, and TF32 (true/false on CUDA, null where the device has none).</summary>
    public PrecisionJson Record() => new(Name, Tf32);

    /// <summary>The console's words: "bf16-mixed", "32-true, TF32 on".</summary>
    public string Text =>
        Tf32 switch
        {
            true => $"{Name}, TF32 matmul on",
            false => $"{Name}, TF32 off",
            null => Name,
        };
}
