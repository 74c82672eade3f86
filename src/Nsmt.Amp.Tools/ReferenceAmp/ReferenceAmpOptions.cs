namespace Nsmt.Amp.ReferenceAmp;

/// <summary>
/// Knobs of the <see cref="ReferenceAmp"/>. The defaults give a crunchy, cabinet-filtered tone
/// that a small WaveNet can learn: every filter's memory is far shorter than a receptive field of
/// about 4000 samples and both clipping curves are smooth.
/// </summary>
public sealed record ReferenceAmpOptions
{
    public int SampleRate { get; init; } = 48000;

    /// <summary>Drive into the first (asymmetric) clipping stage.</summary>
    public double GainDb { get; init; } = 12;

    /// <summary>Offset inside the first stage's tanh: 0 is symmetric, larger is more even-harmonic (diode/tube-like).</summary>
    public double Asymmetry { get; init; } = 0.3;

    /// <summary>Oversampling factor of the clipping stages: 1, 2, 4 or 8.</summary>
    public int Oversampling { get; init; } = 4;

    /// <summary>Pre-clipping high-pass (tightens the low end before distortion), Hz.</summary>
    public double TightHz { get; init; } = 120;

    /// <summary>Tone stack between the stages: low shelf at 150 Hz, dB.</summary>
    public double BassDb { get; init; } = 2;

    /// <summary>Tone stack: peak/dip at 650 Hz, dB.</summary>
    public double MidDb { get; init; } = -4;

    /// <summary>Tone stack: high shelf at 2.5 kHz, dB.</summary>
    public double TrebleDb { get; init; } = 3;

    /// <summary>Drive into the second (symmetric, softer) stage.</summary>
    public double SecondStageGainDb { get; init; } = 6;

    /// <summary>Cabinet high-pass, Hz.</summary>
    public double CabinetLowCutHz { get; init; } = 80;

    /// <summary>Cabinet low-pass (4th order), Hz.</summary>
    public double CabinetHighCutHz { get; init; } = 5000;

    public double OutputGainDb { get; init; } = -6;

    /// <summary>
    /// Samples of silence before the response, as an audio interface adds (output is this much longer): the rig's true
    /// delay, which training on this amp takes as the pair's given <see cref="Ingest.Alignment.Latency"/> (margin 0).
    /// </summary>
    public int LatencySamples { get; init; }

    /// <summary>Optional white noise at this RMS level (dBFS), added after the amp like a noisy rig; null = none.</summary>
    public double? NoiseDbfs { get; init; }

    public int NoiseSeed { get; init; } = 1;
}
