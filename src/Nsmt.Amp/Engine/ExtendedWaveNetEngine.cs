using Nsmt.Amp.Architectures;

namespace Nsmt.Amp.Engine;

/// <summary>
/// Streaming engine for a 0.6/0.7 WaveNet (<see cref="ExtendedWaveNetConfig"/>): NAM A2 and every
/// option NAM Core 0.5.5 plays. A slimmable WaveNet plays at full size, as Core's default
/// (<see cref="NamModel.AtSize"/> slices it). Process allocates nothing.
/// </summary>
public sealed unsafe class ExtendedWaveNetEngine : INamEngine
{
    private readonly ExtendedWaveNetNetwork _network;
    private readonly PinnedBuffer<float> _input;
    private readonly PinnedBuffer<float> _output;
    private readonly int _prewarmSamples;

    public ExtendedWaveNetEngine(NamModel model, TanhMode tanhMode = TanhMode.Exact)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Config is not ExtendedWaveNetConfig config)
        {
            throw new ArgumentException($"expected a 0.6/0.7 WaveNet model, got {model.Config.GetType().Name}", nameof(model));
        }

        _network = new ExtendedWaveNetNetwork(config, model.Weights, tanhMode);
        SampleRate = model.SampleRate;
        TanhMode = tanhMode;
        _prewarmSamples = config.PrewarmSamples;
        _input = new PinnedBuffer<float>(ExtendedWaveNetNetwork.InputRows * ExtendedWaveNetNetwork.MaxChunk);
        _output = new PinnedBuffer<float>(_network.PaddedOutputRows * ExtendedWaveNetNetwork.MaxChunk);
        Reset();
    }

    public double? SampleRate { get; }

    public TanhMode TanhMode { get; }

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
