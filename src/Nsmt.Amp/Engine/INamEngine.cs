namespace Nsmt.Amp.Engine;

/// <summary>
/// A real-time NAM model: mono float32 in, mono float32 out, sample for sample (no latency).
/// <see cref="Process"/> accepts any block length and allocates nothing.
/// </summary>
public interface INamEngine
{
    /// <summary>Rate the input must have (Hz), or null when the model does not say.</summary>
    double? SampleRate { get; }

    TanhMode TanhMode { get; }

    /// <summary>
    /// Algorithmic latency reported to hosts (Core's <c>GetLatency</c>): always 0, the model answers sample for sample.
    /// Not the capture's alignment (<see cref="Ingest.Alignment"/>), which was taken out of the data before training.
    /// </summary>
    int Latency => 0;

    /// <summary>Clears all state and prewarms on silence, as Core does on reset.</summary>
    void Reset();

    /// <summary>Processes one block; <paramref name="output"/> must be at least as long as <paramref name="input"/>.</summary>
    void Process(ReadOnlySpan<float> input, Span<float> output);
}
