using Nsmt.Amp.Engine;

namespace Nsmt.Amp.Evaluation;

/// <summary>Settings of <see cref="AmpEvaluation"/>.</summary>
public sealed record EvaluationOptions
{
    /// <summary>Tanh used when running the model (exact by default, as Core's fixtures).</summary>
    public TanhMode TanhMode { get; init; } = TanhMode.Exact;

    public bool WriteFigures { get; init; } = true;

    /// <summary>Length of the waveform zoom, seconds.</summary>
    public double ZoomSeconds { get; init; } = 0.03;

    public int SpectrogramFftSize { get; init; } = 1024;

    /// <summary>Colour range of the spectrograms below the target's peak, dB.</summary>
    public double DynamicRangeDb { get; init; } = 90;

    /// <summary>
    /// The reference system itself (e.g. a <c>ReferenceAmp</c>'s Process), used for the sweep figure
    /// when the capture has no sweep of its own. Must return at least as many samples as it is given.
    /// </summary>
    public Func<float[], float[]>? Reference { get; init; }

    /// <summary>
    /// Length of the listening clips (DI, real amp, model) written next to the figures, seconds; 0 writes none.
    /// Three seconds of 16-bit mono at 48 kHz is 288 KB a clip.
    /// </summary>
    public double ClipSeconds { get; init; } = 3;

    /// <summary>A name shown in figure titles (e.g. the model file).</summary>
    public string? Label { get; init; }
}
