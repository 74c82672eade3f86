using System.Numerics.Tensors;

namespace Nsmt.Amp.Engine;

/// <summary>
/// The per-layer computation of nam-format.md's forward pass over a block of columns, shared by
/// the streaming engine and the offline processor:
/// z = conv(h) + mixin(c); a = act(z); s += a; h_next = h + 1x1(a).
/// Scratch buffers (z, s) are contiguous: row stride = <c>columns</c>.
/// </summary>
internal static unsafe class WaveNetLayerRunner
{
    private static readonly PinnedBuffer<int> NoTapOffset = new(1);

    public static void RunLayer(
        PackedLayerArray array,
        PackedLayer layer,
        float* input,
        int inputStride,
        float* condition,
        float* z,
        float* s,
        float* output,
        int outputStride,
        int columns,
        TanhMode mode,
        bool computeResidual
    )
    {
        var cp = array.PaddedChannels;
        var conv = new ConvCall
        {
            Weights = layer.Conv.Weights,
            Rows = array.PaddedConvRows,
            InChannels = cp,
            Taps = layer.Conv.Taps,
            TapOffsets = layer.TapOffsets,
            Input = input,
            InputStride = inputStride,
            Bias = layer.Conv.Bias,
            Mixin = layer.Conv.Mixin,
            Condition = condition,
            Output = z,
            OutputStride = columns,
            Columns = columns,
        };
        ConvKernel.Run(conv);

        var activationLength = cp * columns;
        var activation = new Span<float>(z, activationLength);
        Activations.Tanh(activation, mode);
        if (array.Config.Gated)
        {
            // Core's gate is always the exact sigmoid, also when its tanh is the fast one.
            var gate = new Span<float>(z + activationLength, activationLength);
            TensorPrimitives.Sigmoid(gate, gate);
            TensorPrimitives.Multiply(activation, gate, activation);
        }

        // The skip takes the activation itself, not the 1x1 output.
        var skip = new Span<float>(s, activationLength);
        TensorPrimitives.Add(skip, activation, skip);

        if (computeResidual)
        {
            Pointwise(
                layer.OneByOne,
                cp,
                cp,
                z,
                columns,
                layer.OneByOne.Bias,
                output,
                outputStride,
                columns,
                input,
                inputStride
            );
        }
    }

    /// <summary>1x1 conv without bias/residual: the array's input rechannel.</summary>
    public static void Rechannel(
        PackedLayerArray array,
        float* input,
        int inputStride,
        float* output,
        int outputStride,
        int columns
    ) =>
        Pointwise(
            array.Rechannel,
            array.PaddedChannels,
            array.PaddedInputChannels,
            input,
            inputStride,
            null,
            output,
            outputStride,
            columns
        );

    /// <summary>Head rechannel (bias iff head_bias; padded bias is zero otherwise).</summary>
    public static void Head(PackedLayerArray array, float* s, float* output, int columns) =>
        Pointwise(
            array.Head,
            array.PaddedHeadRows,
            array.PaddedChannels,
            s,
            columns,
            array.Head.Bias,
            output,
            columns,
            columns
        );

    /// <summary>A 1x1 conv; when <paramref name="residual"/> is given, it is added to the output (the layer's residual path).</summary>
    private static void Pointwise(
        PackedConv conv,
        int rows,
        int inChannels,
        float* input,
        int inputStride,
        float* bias,
        float* output,
        int outputStride,
        int columns,
        float* residual = null,
        int residualStride = 0
    )
    {
        var call = new ConvCall
        {
            Weights = conv.Weights,
            Rows = rows,
            InChannels = inChannels,
            Taps = 1,
            TapOffsets = NoTapOffset.Pointer,
            Input = input,
            InputStride = inputStride,
            Bias = bias,
            Residual = residual,
            ResidualStride = residualStride,
            Output = output,
            OutputStride = outputStride,
            Columns = columns,
        };
        ConvKernel.Run(call);
    }
}
