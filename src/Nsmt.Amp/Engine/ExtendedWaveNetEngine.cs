using Nsmt.Amp.Architectures;

namespace Nsmt.Amp.Engine;

/// <summary>
/// Streaming engine for a 0.6/0.7 WaveNet (<see cref="ExtendedWaveNetConfig"/>): NAM A2 and every
/// option NAM Core 0.5.5 plays. A slimmable WaveNet plays at full size, as Core's default
/// (<see cref="NamModel.AtSize"/> slices it). A knob WaveNet (<see cref="ExtendedWaveNetConfig.KnobInputs"/>) takes
/// its knob values, normalised to 0..1, as input rows beside the audio, ramped as <see cref="KnobRamp"/> says.
/// Process allocates nothing.
/// </summary>
public sealed unsafe class ExtendedWaveNetEngine : INamEngine
{
    private readonly ExtendedWaveNetNetwork _network;
    private readonly PinnedBuffer<float> _input;
    private readonly PinnedBuffer<float> _output;
    private readonly int _prewarmSamples;
    private readonly KnobRamp _knobs;

    public ExtendedWaveNetEngine(NamModel model, TanhMode tanhMode = TanhMode.Exact)
        : this(model, tanhMode, widestLanes: int.MaxValue) { }

    /// <param name="widestLanes">Widest vector (floats) the fused 3-channel kernel may use, for tests of each width.</param>
    internal ExtendedWaveNetEngine(NamModel model, TanhMode tanhMode, int widestLanes)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Config is not ExtendedWaveNetConfig config)
        {
            throw new ArgumentException(
                $"expected a 0.6/0.7 WaveNet model, got {model.Config.GetType().Name}",
                nameof(model)
            );
        }

        _network = new ExtendedWaveNetNetwork(config, model.Weights, tanhMode, widestLanes);
        SampleRate = model.SampleRate;
        TanhMode = tanhMode;
        _prewarmSamples = config.PrewarmSamples;
        _knobs = new KnobRamp(config.KnobInputs);
        RampSamples = (int)Math.Round(KnobRampSeconds * (model.SampleRate ?? 48_000));
        _input = new PinnedBuffer<float>(ExtendedWaveNetNetwork.InputRows * ExtendedWaveNetNetwork.MaxChunk);
        _output = new PinnedBuffer<float>(_network.PaddedOutputRows * ExtendedWaveNetNetwork.MaxChunk);
        Reset();
    }

    public double? SampleRate { get; }

    public TanhMode TanhMode { get; }

    /// <summary>Shortest knob ramp (as AIDA-X models play: 50 ms).</summary>
    public const double KnobRampSeconds = 0.05;

    /// <summary>Shortest knob ramp, samples at the model's rate.</summary>
    public int RampSamples { get; }

    /// <summary>The knob values now (network inputs, 0..1 over each knob's range).</summary>
    public ReadOnlySpan<float> Knobs => _knobs.Values;

    /// <summary>New knob values, reached by a ramp over the next block or <see cref="RampSamples"/>, whichever is longer.</summary>
    public void SetKnobs(ReadOnlySpan<float> values, int? rampSamples = null) =>
        _knobs.SetTarget(values, rampSamples ?? RampSamples);

    /// <summary>Sets the knobs at once: before playing starts (then <see cref="Reset"/> prewarms at them).</summary>
    public void SetKnobsImmediately(ReadOnlySpan<float> values) => _knobs.SetImmediately(values);

    public void Reset()
    {
        _network.Clear();

        // Core zeroes every history, then feeds its prewarm count of silence (a knob WaveNet at its current knobs).
        _input.Clear();
        for (var k = 0; k < _knobs.Count; k++)
        {
            _input
                .Slice((1 + k) * ExtendedWaveNetNetwork.MaxChunk, ExtendedWaveNetNetwork.MaxChunk)
                .Fill(_knobs.Values[k]);
        }

        for (var done = 0; done < _prewarmSamples; done += ExtendedWaveNetNetwork.MaxChunk)
        {
            var count = Math.Min(ExtendedWaveNetNetwork.MaxChunk, _prewarmSamples - done);
            _network.ProcessChunk(_input.Pointer, count, RoundUp(count), _output.Pointer);
        }
    }

    public void Process(ReadOnlySpan<float> input, Span<float> output)
    {
        if (output.Length < input.Length)
        {
            throw new ArgumentException("output is shorter than input", nameof(output));
        }

        for (var start = 0; start < input.Length; start += ExtendedWaveNetNetwork.MaxChunk)
        {
            var count = Math.Min(ExtendedWaveNetNetwork.MaxChunk, input.Length - start);
            var columns = RoundUp(count);
            input.Slice(start, count).CopyTo(_input.Span);
            _input.Slice(count, columns - count).Clear();
            if (_knobs.Count > 0)
            {
                FillKnobRows(start == 0 ? input.Length : 0, count, columns);
            }

            _network.ProcessChunk(_input.Pointer, count, columns, _output.Pointer);
            _output.Slice(0, count).CopyTo(output.Slice(start, count));
        }
    }

    /// <summary>The knob rows of the next chunk, sample by sample along the ramp (a new target starts with the block).</summary>
    private void FillKnobRows(int blockStarting, int count, int columns)
    {
        _knobs.BeginBlock(blockStarting);
        var rows = _input.Span;
        for (var t = 0; t < columns; t++)
        {
            if (t < count)
            {
                _knobs.Advance();
            }

            for (var k = 0; k < _knobs.Count; k++)
            {
                rows[((1 + k) * ExtendedWaveNetNetwork.MaxChunk) + t] = _knobs.Values[k];
            }
        }
    }

    private static int RoundUp(int count) =>
        (count + ConvKernel.ColumnQuantum - 1) / ConvKernel.ColumnQuantum * ConvKernel.ColumnQuantum;
}
