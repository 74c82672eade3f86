using Nsmt.Amp.Architectures;

namespace Nsmt.Amp.Engine;

/// <summary>
/// Streaming NAM "A1" WaveNet. Each layer keeps its input history in a channel-major buffer
/// (one row per channel, time along the row) of which the last (K-1)*d columns are the ring
/// history; blocks are appended after it and, when the buffer is full, the history is moved back
/// to the front. Each dilated conv over a block is then K small matrix products on contiguous
/// rows. 1x1 convs keep no state. All buffers are allocated up front: Process allocates nothing.
/// </summary>
public sealed unsafe class WaveNetEngine : INamEngine
{
    /// <summary>Largest number of samples computed in one internal pass; longer blocks are split.</summary>
    public const int MaxChunk = 256;

    private readonly WaveNetPackedModel _model;
    private readonly ArrayState[] _arrays;
    private readonly PinnedBuffer<float> _condition;
    private readonly PinnedBuffer<float> _z;
    private readonly PinnedBuffer<float> _headOut;
    private readonly PinnedBuffer<float> _silence;
    private readonly PinnedBuffer<float> _discard;
    private readonly int _historyStart;
    private readonly int _bufferLength;
    private int _position;

    public WaveNetEngine(NamModel model, TanhMode tanhMode = TanhMode.Exact)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Config is not WaveNetConfig)
        {
            throw new ArgumentException($"expected a WaveNet model, got {model.Architecture}", nameof(model));
        }

        _model = WaveNetPackedModel.Create(model);
        SampleRate = model.SampleRate;
        TanhMode = tanhMode;
        ReceptiveField = _model.ReceptiveField;

        // Room for the longest history plus several chunks, so history moves are rare and cheap.
        _historyStart = _model.MaxLayerHistory;
        _bufferLength = _historyStart + Math.Max(4 * MaxChunk, 2 * _model.MaxLayerHistory) + ConvKernel.ColumnQuantum;
        _arrays = _model
            .Arrays.Select((a, j) => new ArrayState(a, _bufferLength, j == _model.Arrays.Length - 1))
            .ToArray();
        _condition = new PinnedBuffer<float>(MaxChunk);
        _z = new PinnedBuffer<float>(_model.Arrays.Max(a => a.PaddedConvRows) * MaxChunk);
        _headOut = new PinnedBuffer<float>(_model.Arrays[^1].PaddedHeadRows * MaxChunk);
        _silence = new PinnedBuffer<float>(MaxChunk);
        _discard = new PinnedBuffer<float>(MaxChunk);
        Reset();
    }

    public double? SampleRate { get; }

    public TanhMode TanhMode { get; }

    public int ReceptiveField { get; }

    public void Reset()
    {
        foreach (var array in _arrays)
        {
            array.Clear();
        }

        _position = _historyStart;

        // Core zeroes every history, then feeds silence until RF samples have passed.
        for (var done = 0; done < ReceptiveField; done += MaxChunk)
        {
            var count = Math.Min(MaxChunk, ReceptiveField - done);
            ProcessChunk(_silence.Slice(0, count), _discard.Slice(0, count));
        }
    }

    public void Process(ReadOnlySpan<float> input, Span<float> output)
    {
        if (output.Length < input.Length)
        {
            throw new ArgumentException("output is shorter than input", nameof(output));
        }

        for (var start = 0; start < input.Length; start += MaxChunk)
        {
            var count = Math.Min(MaxChunk, input.Length - start);
            ProcessChunk(input.Slice(start, count), output.Slice(start, count));
        }
    }

    private void ProcessChunk(ReadOnlySpan<float> input, Span<float> output)
    {
        var count = input.Length;

        // Columns are computed in multiples of the vector width; the padded columns hold the
        // response to trailing zeros and are overwritten by the next chunk before anything reads them.
        var columns = (count + ConvKernel.ColumnQuantum - 1) / ConvKernel.ColumnQuantum * ConvKernel.ColumnQuantum;
        if (_position + columns > _bufferLength)
        {
            MoveHistoryToFront();
        }

        input.CopyTo(_condition.Span);
        _condition.Slice(count, columns - count).Clear();
        var condition = _condition.Pointer;

        var arrayInput = condition;
        var arrayInputStride = 0;
        for (var j = 0; j < _arrays.Length; j++)
        {
            var state = _arrays[j];
            var array = state.Array;
            var stride = _bufferLength;

            WaveNetLayerRunner.Rechannel(
                array,
                arrayInput,
                arrayInputStride,
                state.LayerInput(0) + _position,
                stride,
                columns
            );
            if (j == 0)
            {
                new Span<float>(state.Skip, array.PaddedChannels * columns).Clear();
            }

            var last = array.Layers.Length - 1;
            for (var l = 0; l <= last; l++)
            {
                var isLast = l == last;
                var layerOutput = isLast ? state.ArrayOutput : state.LayerInput(l + 1) + _position;
                WaveNetLayerRunner.RunLayer(
                    array,
                    array.Layers[l],
                    state.LayerInput(l) + _position,
                    stride,
                    condition,
                    _z.Pointer,
                    state.Skip,
                    layerOutput,
                    isLast ? columns : stride,
                    columns,
                    TanhMode,
                    computeResidual: !(isLast && state.IsLastArray)
                );
            }

            // The head output is the next array's skip accumulator (or the model output).
            var head = state.IsLastArray ? _headOut.Pointer : _arrays[j + 1].Skip;
            WaveNetLayerRunner.Head(array, state.Skip, head, columns);
            arrayInput = state.ArrayOutput;
            arrayInputStride = columns;
        }

        var scale = _model.HeadScale;
        var y = _headOut.Pointer;
        for (var t = 0; t < count; t++)
        {
            output[t] = scale * y[t];
        }

        _position += count;
    }

    private void MoveHistoryToFront()
    {
        foreach (var array in _arrays)
        {
            array.MoveHistory(_position, _historyStart);
        }

        _position = _historyStart;
    }

    /// <summary>Buffers of one layer array.</summary>
    private sealed class ArrayState
    {
        private readonly PinnedBuffer<float>[] _layerInputs;
        private readonly PinnedBuffer<float> _skip;
        private readonly PinnedBuffer<float> _arrayOutput;
        private readonly int _bufferLength;

        public ArrayState(PackedLayerArray array, int bufferLength, bool isLastArray)
        {
            Array = array;
            IsLastArray = isLastArray;
            _bufferLength = bufferLength;
            _layerInputs = array
                .Layers.Select(_ => new PinnedBuffer<float>(array.PaddedChannels * bufferLength))
                .ToArray();
            _skip = new PinnedBuffer<float>(array.PaddedChannels * MaxChunk);
            _arrayOutput = new PinnedBuffer<float>(array.PaddedChannels * MaxChunk);
        }

        public PackedLayerArray Array { get; }

        public bool IsLastArray { get; }

        public float* Skip => _skip.Pointer;

        public float* ArrayOutput => _arrayOutput.Pointer;

        public float* LayerInput(int layer) => _layerInputs[layer].Pointer;

        public void Clear()
        {
            foreach (var buffer in _layerInputs)
            {
                buffer.Clear();
            }

            _skip.Clear();
            _arrayOutput.Clear();
        }

        /// <summary>Moves each layer's last (K-1)*d columns before <paramref name="position"/> to end at <paramref name="newPosition"/>.</summary>
        public void MoveHistory(int position, int newPosition)
        {
            for (var l = 0; l < _layerInputs.Length; l++)
            {
                var history = Array.Layers[l].History;
                var buffer = _layerInputs[l];
                for (var c = 0; c < Array.Config.Channels; c++)
                {
                    var row = c * _bufferLength;
                    buffer
                        .Slice(row + position - history, history)
                        .CopyTo(buffer.Slice(row + newPosition - history, history));
                }
            }
        }
    }
}
