namespace Nsmt.Amp.Capture;

/// <summary>A half-open range of sample indices [Start, Start + Length).</summary>
public readonly record struct SampleRange
{
    public SampleRange(int start, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Start = start;
        Length = length;
    }

    public int Start { get; }

    public int Length { get; }

    public int End => Start + Length;

    public bool IsEmpty => Length == 0;

    public static SampleRange FromBounds(int start, int end) => new(start, Math.Max(0, end - start));

    public bool Contains(int index) => index >= Start && index < End;

    /// <summary>This range moved by <paramref name="offset"/> and cut to [0, <paramref name="limit"/>).</summary>
    public SampleRange ShiftClamped(int offset, int limit)
    {
        var start = Math.Clamp(Start + offset, 0, limit);
        var end = Math.Clamp(End + offset, 0, limit);
        return FromBounds(start, end);
    }

    public double Seconds(int sampleRate) => (double)Length / sampleRate;

    public override string ToString() => $"[{Start}, {End})";
}
