using Nsmt.Amp.Engine;
using Nsmt.Audio;

namespace Nsmt.Amp.Processing;

/// <summary>How <see cref="AmpProcessor"/> runs a model over audio.</summary>
public sealed record ProcessingOptions
{
    /// <summary>Exact tanh (Core's default) or NAM's fast approximation (what the plugin uses).</summary>
    public TanhMode TanhMode { get; init; } = TanhMode.Exact;

    /// <summary>The largest streaming block accepted (far above any host's buffer).</summary>
    public const int MaxBlockSize = 1 << 20;

    /// <summary>Null: offline whole-buffer processing in chunks. A value: the streaming engine, fed blocks of this many samples.</summary>
    public int? BlockSize { get; init; }

    /// <summary>Longest piece computed at once offline (bounds memory; the output does not depend on it).</summary>
    public int ChunkSize { get; init; } = ChunkedNamProcessor.DefaultMaxChunk;

    /// <summary>Input at another rate than the model's is resampled to it and back; false makes that an error.</summary>
    public bool AllowResampling { get; init; } = true;

    /// <summary>Slimmable size in [0, 1] for SlimmableContainer and slimmable WaveNet models (Core's SetSlimmableSize; see NamModel.AtSize); 1 is the full model.</summary>
    public double Size { get; init; } = 1.0;

    /// <summary>Encoding of the written file. Float keeps levels above full scale; integer formats clip them (and count it).</summary>
    public WavSampleFormat OutputFormat { get; init; } = WavSampleFormat.Float32;
}
