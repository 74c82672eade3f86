using Nsmt.Amp.Architectures;

namespace Nsmt.Amp.Engine;

/// <summary>
/// Streaming engine for a 0.6/0.7 WaveNet (<see cref="ExtendedWaveNetConfig"/>): NAM A2 and every
/// option NAM Core 0.5.5 plays. A slimmable WaveNet plays at the size given at creation, sliced as
/// Core slices it. Process allocates nothing.
/// </summary>
public sealed unsafe class ExtendedWaveNetEngine : INamEngine
{
    private readonly ExtendedWaveNetNetwork _network;
    private readonly PinnedBuffer<float> _input;
    private readonly PinnedBuffer<float> _output;
    private readonly int _prewarmSamples;

    /// <param name="size">Slimmable size in [0, 1] (1: full); ignored by a model that is not slimmable.</param>
    public ExtendedWaveNetEngine(NamModel model, TanhMode tanhMode = TanhMode.Exact, double size = 1.0)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Config is not ExtendedWaveNetConfig config)
        {
            throw new ArgumentException($"expected a 0.6/0.7 WaveNet model, got {model.Config.GetType().Name}", nameof(model));
        }

        var (played, weights) = config.IsSlimmable ? config.Slice(config.ChannelsForSize(size), model.Weights) : (config, model.Weights);
        _network = new ExtendedWaveNetNetwork(played, weights, tanhMode);
        Channels = played.LayerArrays.Select(a => a.Channels).ToArray();
        SampleRate = model.SampleRate;
        TanhMode = tanhMode;
        _prewarmSamples = played.PrewarmSamples;
        _input = new PinnedBuffer<float>(ExtendedWaveNetNetwork.InputRows * ExtendedWaveNetNetwork.MaxChunk);
        _output = new PinnedBuffer<float>(_network.PaddedOutputRows * ExtendedWaveNetNetwork.MaxChunk);
        Reset();
    }

    public double? SampleRate { get; }

    public TanhMode TanhMode { get; }

    /// <summary>Channels of each layer array as played (after slimming).</summary>
    public IReadOnlyList<int> Channels { get; }

    public void Reset()
    {
        _network.Clear();

        // Core zeroes every history, then feeds its prewarm count of silence.
        _input.Clear();
        for (int done = 0; done < _prewarmSamples; done += ExtendedWaveNetNetwork.MaxChunk)
        {
            int count = Math.Min(ExtendedWaveNetNetwork.MaxChunk, _prewarmSamples - done);
            _network.ProcessChunk(_input.Pointer, count, RoundUp(count), _output.Pointer);
        }
    }

    public void Process(ReadOnlySpan<float> input, Span<float> output)
    {
        if (output.Length < input.Length)
        {
            throw new ArgumentException("output is shorter than input", nameof(output));
        }

        for (int start = 0; start < input.Length; start += ExtendedWaveNetNetwork.MaxChunk)
        {
            int count = Math.Min(ExtendedWaveNetNetwork.MaxChunk, input.Length - start);
            int columns = RoundUp(count);
            input.Slice(start, count).CopyTo(_input.Span);
            _input.Slice(count, columns - count).Clear();
            _network.ProcessChunk(_input.Pointer, count, columns, _output.Pointer);
            _output.Slice(0, count).CopyTo(output.Slice(start, count));
        }
    }

    private static int RoundUp(int count) => (count + ConvKernel.ColumnQuantum - 1) / ConvKernel.ColumnQuantum * ConvKernel.ColumnQuantum;
}
