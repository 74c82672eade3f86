namespace Nsmt.Spectral.Models;

/// <summary>How a head's output is read: class logits, one sigmoid value in [0, 1] mapped to the parameter's range, or one raw value.</summary>
public enum HeadKind
{
    Classification,
    Regression,

    /// <summary>One unbounded value per head (quantized regression clamps it to [0, classes-1] in the loss).</summary>
    Scalar,
}

/// <summary>
/// One output head per varying synthesis parameter: its name, class count (round((max-min)/step)+1)
/// and physical range. Built from the dataset, never from a placeholder.
/// </summary>
public sealed record HeadSpec(string Name, int NumClasses, double Min = 0, double Max = 1)
{
    public static HeadSpec FromRange(string name, double min, double max, double step)
    {
        if (!(step > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(step), step, $"head '{name}': step must be > 0");
        }

        if (!(max > min))
        {
            throw new ArgumentException($"head '{name}': max ({max}) must exceed min ({min}) for a varying parameter");
        }

        return new HeadSpec(name, (int)Math.Round((max - min) / step) + 1, min, max);
    }

    /// <summary>The physical value of class <paramref name="index"/>: min + index*step.</summary>
    public double ValueOfClass(int index) => NumClasses == 1 ? Min : Min + index * (Max - Min) / (NumClasses - 1);
}
