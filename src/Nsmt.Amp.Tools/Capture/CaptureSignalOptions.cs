namespace Nsmt.Amp.Capture;

/// <summary>Settings of <see cref="CaptureSignal.Generate"/>. The defaults train a small model in minutes.</summary>
public sealed record CaptureSignalOptions
{
    public int SampleRate { get; init; } = 48000;

    /// <summary>Total length in seconds (NAM's standard signal is about 3 min).</summary>
    public double Seconds { get; init; } = 30;

    /// <summary>Length of the validation passage, played at the start and again at the end (NAM: 9 s).</summary>
    public double ValidationSeconds { get; init; } = 3;

    /// <summary>Seeds every random choice: the same options give the same samples.</summary>
    public int Seed { get; init; }

    /// <summary>
    /// Peak of the guitar: the validation passage and the guitar section share one scale (so the
    /// held-out passage is played like the training guitar), set so the louder of the two peaks here.
    /// The clicks are at 0.9; the loudest noise burst peaks near 0.8.
    /// </summary>
    public double GuitarPeak { get; init; } = 0.7;
}
