namespace Nsmt.Amp.Engine;

/// <summary>
/// Weights of one convolution (out x in x taps, row-major as in the .nam file) repacked for
/// <see cref="ConvKernel"/>: rows padded to a multiple of 4, input channels padded, each tile of
/// 4 rows stored as [c][k][4] so the kernel reads it sequentially. Padding weights are zero, so
/// padded rows compute zeros and padded input channels contribute nothing.
/// </summary>
internal sealed unsafe class PackedConv
{
    private readonly PinnedBuffer<float> _weights;
    private readonly PinnedBuffer<float> _bias;
    private PinnedBuffer<float>? _mixin;

    /// <param name="source">Weights [rows][inChannels][taps] (row-major).</param>
    /// <param name="rowMap">Padded row index of each source row (allows the gated layout).</param>
    public PackedConv(
        ReadOnlySpan<float> source,
        int rows,
        int inChannels,
        int taps,
        int paddedRows,
        int paddedInChannels,
        Func<int, int>? rowMap = null
    )
    {
        rowMap ??= r => r;
        PaddedRows = paddedRows;
        InChannels = paddedInChannels;
        Taps = taps;
        _weights = new PinnedBuffer<float>(paddedRows * paddedInChannels * taps);
        var packed = _weights.Span;
        for (var r = 0; r < rows; r++)
        {
            var pr = rowMap(r);
            var tileBase = pr / ConvKernel.RowTile * paddedInChannels * taps * ConvKernel.RowTile;
            for (var c = 0; c < inChannels; c++)
            {
                for (var k = 0; k < taps; k++)
                {
                    packed[tileBase + (((c * taps) + k) * ConvKernel.RowTile) + (pr % ConvKernel.RowTile)] = source[
                        (((r * inChannels) + c) * taps) + k
                    ];
                }
            }
        }

        _bias = new PinnedBuffer<float>(paddedRows);
        RowMap = rowMap;
        SourceRows = rows;
    }

    public int PaddedRows { get; }

    public int InChannels { get; }

    public int Taps { get; }

    public int SourceRows { get; }

    public Func<int, int> RowMap { get; }

    public float* Weights => _weights.Pointer;

    public float* Bias => _bias.Pointer;

    public float* Mixin => _mixin is null ? null : _mixin.Pointer;

    public void SetBias(ReadOnlySpan<float> bias)
    {
        for (var r = 0; r < SourceRows; r++)
        {
            _bias.Span[RowMap(r)] = bias[r];
        }
    }

    /// <summary>Per-row weight of the condition signal (the WaveNet input mixin).</summary>
    public void SetMixin(ReadOnlySpan<float> mixin)
    {
        _mixin = new PinnedBuffer<float>(PaddedRows);
        for (var r = 0; r < SourceRows; r++)
        {
            _mixin.Span[RowMap(r)] = mixin[r];
        }
    }

    public static int PadRows(int rows) => (rows + ConvKernel.RowTile - 1) / ConvKernel.RowTile * ConvKernel.RowTile;
}
