namespace Nsmt.Outputs;

/// <summary>What an amp evaluation folder holds (Amp evaluate writes it; the report reads it).</summary>
public static class AmpEvaluationFiles
{
    public const string Metrics = "metrics.json";

    public const string Waveform = "waveform.svg";

    public const string Spectrograms = "spectrograms.svg";

    public const string Sweep = "sweep.svg";

    /// <summary>The figures, in the order the report shows them.</summary>
    public static IReadOnlyList<string> Figures { get; } = [Waveform, Spectrograms, Sweep];

    /// <summary>Listening clips: the same passage as the DI, the real amp and the model.</summary>
    public const string DiClip = "clip_di.wav";

    public const string AmpClip = "clip_amp.wav";

    public const string ModelClip = "clip_model.wav";
}
