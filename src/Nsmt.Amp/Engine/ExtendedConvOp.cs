using Nsmt.Amp.Architectures;

namespace Nsmt.Amp.Engine;

/// <summary>
/// One convolution of an extended WaveNet, packed for <see cref="ConvKernel"/>: grouped weights are
/// expanded to dense blocks (zeros between groups add exactly nothing), output rows are padded to
/// the kernel's row tile and may be remapped (the gated layout keeps the secondary half at row Bp).
/// </summary>
internal sealed unsafe class ExtendedConvOp
{
    private readonly PackedConv _conv;
    private readonly PinnedBuffer<int> _tapOffsets;
    private readonly bool _hasBias;

    /// <param name="paddedRows">Output rows of the packed conv (a multiple of <see cref="ConvKernel.RowTile"/>).</param>
    /// <param name="inputRows">Rows the input signal has (padded rows of its producer, or 1 for the raw input).</param>
    public ExtendedConvOp(
        WaveNetModule module,
        WeightCursor cursor,
        int paddedRows,
        int inputRows,
        Func<int, int>? rowMap = null,
        bool mixinOnly = false
    )
    {
        var dense = module.DenseWeights(cursor.Take(module.WeightLength));
        Module = module;
        PaddedRows = paddedRows;
        History = (module.KernelSize - 1) * module.Dilation;
        _tapOffsets = new PinnedBuffer<int>(module.KernelSize);
        for (var k = 0; k < module.KernelSize; k++)
        {
            // Tap k multiplies x[t - (K-1-k)*d]; tap K-1 is the current sample.
            _tapOffsets.Span[k] = -(module.KernelSize - 1 - k) * module.Dilation;
        }

        if (mixinOnly)
        {
            // A 1-row condition mixed in per row by the kernel itself (A1's input mixin).
            _conv = new PackedConv([], module.OutChannels, 0, 1, paddedRows, 0, rowMap);
            _conv.SetMixin(dense);
        }
        else
        {
            _conv = new PackedConv(
                dense,
                module.OutChannels,
                module.InChannels,
                module.KernelSize,
                paddedRows,
                inputRows,
                rowMap
            );
        }

        _hasBias = module.Bias;
        if (module.Bias)
        {
            _conv.SetBias(cursor.Take(module.OutChannels));
        }
    }

    public WaveNetModule Module { get; }

    public int PaddedRows { get; }

    /// <summary>Columns of past input the conv reads: (K-1)*d.</summary>
    public int History { get; }

    /// <summary>Per-row condition weights when this conv is a fused 1-row input mixin.</summary>
    public float* MixinWeights => _conv.Mixin;

    /// <summary>Column offset of each tap (0 or negative).</summary>
    public int* TapOffsets => _tapOffsets.Pointer;

    /// <summary>The weight of (padded) output row, input channel and tap, as packed.</summary>
    public float Weight(int row, int channel, int tap) =>
        _conv.Weights[
            (row / ConvKernel.RowTile * _conv.InChannels * _conv.Taps * ConvKernel.RowTile)
                + (((channel * _conv.Taps) + tap) * ConvKernel.RowTile)
                + (row % ConvKernel.RowTile)
        ];

    /// <summary>The bias of a (padded) output row (0 without bias).</summary>
    public float BiasOf(int row) => _hasBias ? _conv.Bias[row] : 0f;

    /// <summary>
    /// output = residual + ((W * input + bias) + mixin * condition), each term only when given;
    /// strides are in floats per row.
    /// </summary>
    public void Run(
        float* input,
        int inputStride,
        float* output,
        int outputStride,
        int columns,
        float* residual = null,
        int residualStride = 0,
        float* mixin = null,
        float* condition = null
    )
    {
        var call = new ConvCall
        {
            Weights = _conv.Weights,
            Rows = PaddedRows,
            InChannels = _conv.InChannels,
            Taps = _conv.Taps,
            TapOffsets = _tapOffsets.Pointer,
            Input = input,
            InputStride = inputStride,
            Bias = _hasBias ? _conv.Bias : null,
            Mixin = mixin,
            Condition = condition,
            Residual = residual,
            ResidualStride = residualStride,
            Output = output,
            OutputStride = outputStride,
            Columns = columns,
        };
        ConvKernel.RunInCoreOrder(call);
    }
}
