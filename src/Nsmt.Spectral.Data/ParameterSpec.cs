using System.Globalization;
using Nsmt.Spectral.Data.Json;

namespace Nsmt.Spectral.Data;

/// <summary>
/// One synthesiser parameter's range and class grid. A parameter varies when Min != Max; it is then
/// a classification head with <see cref="NumClasses"/> classes spaced <see cref="Step"/> apart.
/// </summary>
public sealed record ParameterSpec
{
    public ParameterSpec(
        string name,
        ConfigNumber min,
        ConfigNumber max,
        ConfigNumber? step = null,
        string? description = null
    )
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!double.IsFinite(min.Value) || !double.IsFinite(max.Value))
        {
            throw new ArgumentException($"parameter '{name}': min and max must be finite numbers");
        }

        if (max.Value < min.Value)
        {
            throw new ArgumentException($"parameter '{name}': max ({max}) is below min ({min})");
        }

        Name = name;
        Min = min;
        Max = max;
        StepGiven = step.HasValue;
        // NSMT's default grid: 16 intervals (so 0.0 for a fixed parameter).
        Step = step ?? ConfigNumber.Float((max.Value - min.Value) / 16);
        Description = description;
        if (IsVarying && !(Step.Value > 0))
        {
            throw new ArgumentException(
                $"parameter '{name}': step must be positive for a varying parameter, got {Step}"
            );
        }

        // Checked in double before NumClasses casts to int: a tiny step (1e-300) would saturate and wrap the count.
        var classes = IsVarying ? Math.Round((max.Value - min.Value) / Step.Value, MidpointRounding.ToEven) + 1 : 1;
        if (!(classes <= VimhLimits.MaxClasses))
        {
            throw new ArgumentException(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"parameter '{name}': (max - min)/step gives {classes:G6} classes, expected at most {VimhLimits.MaxClasses} (VimhLimits.MaxClasses)"
                )
            );
        }
    }

    public string Name { get; }

    public ConfigNumber Min { get; }

    public ConfigNumber Max { get; }

    public ConfigNumber Step { get; }

    public bool StepGiven { get; }

    /// <summary>Optional description from the config (NSMT uses it for fixed parameters).</summary>
    public string? Description { get; }

    public bool IsVarying => Min.Value != Max.Value;

    /// <summary>round((max - min)/step) + 1, with Python's round-half-even.</summary>
    public int NumClasses =>
        IsVarying ? (int)Math.Round((Max.Value - Min.Value) / Step.Value, MidpointRounding.ToEven) + 1 : 1;

    /// <summary>The physical value of a class centre, min + k*step (clamped to max).</summary>
    public double ClassValue(int classIndex) => Math.Min(Min.Value + (classIndex * Step.Value), Max.Value);

    /// <summary>q = clamp(int(norm*255), 0, 255), truncating as NSMT does.</summary>
    public byte Quantize(double value)
    {
        var norm = (value - Min.Value) / (Max.Value - Min.Value);
        var scaled = norm * 255.0;
        if (double.IsNaN(scaled))
        {
            throw new ArgumentException($"parameter '{Name}': cannot quantise {value}");
        }

        return (byte)Math.Clamp(Math.Truncate(scaled), 0, 255);
    }

    public double Decode(byte q) => Min.Value + (q / 255.0 * (Max.Value - Min.Value));

    public int ClassIndex(byte q)
    {
        var k = Math.Round((Decode(q) - Min.Value) / Step.Value, MidpointRounding.ToEven);
        return (int)Math.Clamp(k, 0, NumClasses - 1);
    }
}
