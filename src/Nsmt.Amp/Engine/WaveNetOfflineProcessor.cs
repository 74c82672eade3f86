namespace Nsmt.Amp.Engine;

/// <summary>
/// Whole-buffer WaveNet: the valid forward pass over [RF-1 samples of history] ++ chunk, layer
/// by layer over all columns at once (no ring buffers). Long inputs are cut into chunks, each
/// preceded by the RF-1 input samples before it (zeros before the start), so chunking gives the
/// same samples as one pass. Each layer's residual stream is updated in place; the front margin
/// of every buffer stays zero and stands for the zeroed history Core starts from.
/// </summary>
internal sealed unsafe class WaveNetOfflineProcessor
{
    private readonly WaveNetPackedModel _model;
    private readonly TanhMode _mode;
    private readonly int _margin;
    private readonly int _maxColumns;
    private readonly int _rowStride;
    private readonly PinnedBuffer<float>[] _residual;
    private readonly PinnedBuffer<float>[] _skip;
    private readonly PinnedBuffer<float> _z;
    private readonly PinnedBuffer<float> _headOut;
    private readonly PinnedBuffer<float> _condition;

    public WaveNetOfflineProcessor(WaveNetPackedModel model, TanhMode mode, int chunkSize)
    {
        _model = model;
        _mode = mode;
        _margin = model.MaxLayerHistory;
        _maxColumns = RoundUp(chunkSize + model.ReceptiveField - 1);
        _rowStride = _margin + _maxColumns;
        _residual = model.Arrays.Select(a => new PinnedBuffer<float>(a.PaddedChannels * _rowStride)).ToArray();
        _skip = model.Arrays.Select(a => new PinnedBuffer<float>(a.PaddedChannels * _maxColumns)).ToArray();
        _z = new PinnedBuffer<float>(model.Arrays.Max(a => a.PaddedConvRows) * _maxColumns);
        _headOut = new PinnedBuffer<float>(model.Arrays[^1].PaddedHeadRows * _maxColumns);
        _condition = new PinnedBuffer<float>(_maxColumns);
        ChunkSize = chunkSize;
    }

    public int ChunkSize { get; }

    public void Process(ReadOnlySpan<float> input, Span<float> output)
    {
        for (var start = 0; start < input.Length; start += ChunkSize)
        {
            var count = Math.Min(ChunkSize, input.Length - start);
            ProcessChunk(input, start, count, output.Slice(start, count));
        }
    }

    private void ProcessChunk(ReadOnlySpan<float> input, int start, int count, Span<float> output)
    {
        var context = _model.ReceptiveField - 1;
        var length = count + context;
        var columns = RoundUp(length);

        // Condition = the input with RF-1 samples of context before the chunk (zeros before the start).
        var condition = _condition.Slice(0, columns);
        condition.Clear();
        var firstInput = start - context;
        var skipFront = Math.Max(0, -firstInput);
        input.Slice(firstInput + skipFront, length - skipFront).CopyTo(condition[skipFront..]);

        var arrayInput = _condition.Pointer;
        var arrayInputStride = 0;
        var arrays = _model.Arrays;
        for (var j = 0; j < arrays.Length; j++)
        {
            var array = arrays[j];
            var h = _residual[j].Pointer + _margin;
            var s = _skip[j].Pointer;
            WaveNetLayerRunner.Rechannel(array, arrayInput, arrayInputStride, h, _rowStride, columns);
            if (j == 0)
            {
                new Span<float>(s, array.PaddedChannels * columns).Clear();
            }

            var lastArray = j == arrays.Length - 1;
            for (var l = 0; l < array.Layers.Length; l++)
            {
                var lastLayer = l == array.Layers.Length - 1;
                WaveNetLayerRunner.RunLayer(
                    array,
                    array.Layers[l],
                    h,
                    _rowStride,
                    _condition.Pointer,
                    _z.Pointer,
                    s,
                    h,
                    _rowStride,
                    columns,
                    _mode,
                    computeResidual: !(lastLayer && lastArray)
                );
            }

            var head = lastArray ? _headOut.Pointer : _skip[j + 1].Pointer;
            WaveNetLayerRunner.Head(array, s, head, columns);
            arrayInput = h;
            arrayInputStride = _rowStride;
        }

        var scale = _model.HeadScale;
        var y = _headOut.Pointer + context;
        for (var t = 0; t < count; t++)
        {
            output[t] = scale * y[t];
        }
    }

    private static int RoundUp(int columns) =>
        (columns + ConvKernel.ColumnQuantum - 1) / ConvKernel.ColumnQuantum * ConvKernel.ColumnQuantum;
}
