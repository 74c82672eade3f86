using static Nsmt.Torch.torch;
using static Nsmt.Torch.torch.nn;

namespace Nsmt.Torch.Modules;

/// <summary>Shared state of Conv1d/Conv2d/ConvTranspose1d: weight [out, in/groups, *kernel] (transposed: [in, out/groups, *kernel]).</summary>
public abstract class ConvNd : Module<Tensor, Tensor>
{
    protected ConvNd(string name, long inChannels, long outChannels, long[] kernel, long[] stride, long[] padding, Padding? paddingKeyword,
        long[] dilation, long groups, bool hasBias, bool transposed, Device? device) : base(name)
    {
        if (groups <= 0 || inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"{name}: in_channels ({inChannels}) and out_channels ({outChannels}) must be divisible by groups ({groups})");
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernel;
        Stride = stride;
        PaddingValues = padding;
        PaddingKeyword = paddingKeyword;
        Dilation = dilation;
        Groups = groups;
        long[] weightShape = transposed ? [inChannels, outChannels / groups, .. kernel] : [outChannels, inChannels / groups, .. kernel];
        weight = new Parameter(empty(weightShape, device: device));
        bias = hasBias ? new Parameter(empty([outChannels], device: device)) : null;
        register_parameter("weight", weight);
        register_parameter("bias", bias);
        ResetParameters.KaimingWithFanInBias(weight, bias);
    }

    public long InChannels { get; }
    public long OutChannels { get; }
    public long[] KernelSize { get; }
    public long[] Stride { get; }
    public long[] PaddingValues { get; }
    public Padding? PaddingKeyword { get; }
    public long[] Dilation { get; }
    public long Groups { get; }
    public Parameter weight { get; }
    public Parameter? bias { get; }
}

public sealed class Conv1d : ConvNd
{
    public Conv1d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0, long dilation = 1, long groups = 1,
        bool hasBias = true, Device? device = null)
        : base(nameof(Conv1d), inChannels, outChannels, [kernelSize], [stride], [padding], null, [dilation], groups, hasBias, false, device) { }

    public Conv1d(long inChannels, long outChannels, long kernelSize, Padding padding, long stride = 1, long dilation = 1, long groups = 1,
        bool hasBias = true, Device? device = null)
        : base(nameof(Conv1d), inChannels, outChannels, [kernelSize], [stride], [0], padding, [dilation], groups, hasBias, false, device) { }

    public override Tensor forward(Tensor input) => PaddingKeyword is { } p
        ? functional.conv1d(input, weight, bias, Stride[0], p, Dilation[0], Groups)
        : functional.conv1d(input, weight, bias, Stride[0], PaddingValues[0], Dilation[0], Groups);
}

public sealed class Conv2d : ConvNd
{
    public Conv2d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0, long dilation = 1, long groups = 1,
        bool hasBias = true, Device? device = null)
        : this(inChannels, outChannels, [kernelSize, kernelSize], [stride, stride], [padding, padding], [dilation, dilation], groups, hasBias, device) { }

    public Conv2d(long inChannels, long outChannels, long[] kernelSize, long[] stride, long[] padding, long[] dilation, long groups = 1,
        bool hasBias = true, Device? device = null)
        : base(nameof(Conv2d), inChannels, outChannels, kernelSize, stride, padding, null, dilation, groups, hasBias, false, device) { }

    public Conv2d(long inChannels, long outChannels, long kernelSize, Padding padding, long stride = 1, long dilation = 1, long groups = 1,
        bool hasBias = true, Device? device = null)
        : base(nameof(Conv2d), inChannels, outChannels, [kernelSize, kernelSize], [stride, stride], [0, 0], padding, [dilation, dilation], groups, hasBias, false, device) { }

    public override Tensor forward(Tensor input) => PaddingKeyword is { } p
        ? functional.conv2d(input, weight, bias, Stride, p, Dilation, Groups)
        : functional.conv2d(input, weight, bias, Stride, PaddingValues, Dilation, Groups);
}

public sealed class ConvTranspose1d : ConvNd
{
    public ConvTranspose1d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0, long outputPadding = 0,
        long groups = 1, bool hasBias = true, long dilation = 1, Device? device = null)
        : base(nameof(ConvTranspose1d), inChannels, outChannels, [kernelSize], [stride], [padding], null, [dilation], groups, hasBias, true, device)
    {
        OutputPadding = outputPadding;
    }

    public long OutputPadding { get; }

    public override Tensor forward(Tensor input) =>
        functional.conv_transpose1d(input, weight, bias, Stride[0], PaddingValues[0], OutputPadding, Groups, Dilation[0]);
}
