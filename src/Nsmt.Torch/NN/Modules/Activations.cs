using static Nsmt.Torch.torch;
using static Nsmt.Torch.torch.nn;

namespace Nsmt.Torch.Modules;

/// <summary>A parameter-free layer defined by one function.</summary>
public class Lambda(string name, Func<Tensor, Tensor> function) : Module<Tensor, Tensor>(name)
{
    public override Tensor forward(Tensor input) => function(input);
}

public sealed class ReLU() : Lambda(nameof(ReLU), x => x.relu());
public sealed class Tanh() : Lambda(nameof(Tanh), x => x.tanh());
public sealed class Sigmoid() : Lambda(nameof(Sigmoid), x => x.sigmoid());
public sealed class SiLU() : Lambda(nameof(SiLU), x => x.silu());
public sealed class Identity() : Lambda(nameof(Identity), x => x.alias());
public sealed class GELU(string approximate = "none") : Lambda(nameof(GELU), x => functional.gelu(x, approximate));
public sealed class LeakyReLU(double negativeSlope = 0.01) : Lambda(nameof(LeakyReLU), x => functional.leaky_relu(x, negativeSlope));
public sealed class Softmax(long dim) : Lambda(nameof(Softmax), x => functional.softmax(x, dim));
public sealed class LogSoftmax(long dim) : Lambda(nameof(LogSoftmax), x => functional.log_softmax(x, dim));
public sealed class Flatten(long startDim = 1, long endDim = -1) : Lambda(nameof(Flatten), x => x.flatten(startDim, endDim));

/// <summary>Zeroes elements with probability p during training and rescales by 1/(1-p); identity in eval mode.</summary>
public sealed class Dropout : Module<Tensor, Tensor>
{
    public Dropout(double p = 0.5) : base(nameof(Dropout))
    {
        if (p is < 0 or > 1)
            throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability must be in [0, 1]");
        P = p;
    }

    public double P { get; }

    public override Tensor forward(Tensor input) => functional.dropout(input, P, training);
}

public sealed class MaxPool1d(long kernelSize, long? stride = null, long padding = 0)
    : Lambda(nameof(MaxPool1d), x => functional.max_pool1d(x, kernelSize, stride, padding));

public sealed class AvgPool1d(long kernelSize, long? stride = null, long padding = 0)
    : Lambda(nameof(AvgPool1d), x => functional.avg_pool1d(x, kernelSize, stride, padding));

public sealed class MaxPool2d(long kernelSize, long? stride = null, long padding = 0)
    : Lambda(nameof(MaxPool2d), x => functional.max_pool2d(x, [kernelSize, kernelSize], stride is { } s ? [s, s] : null, [padding, padding]));

public sealed class AvgPool2d(long kernelSize, long? stride = null, long padding = 0)
    : Lambda(nameof(AvgPool2d), x => functional.avg_pool2d(x, [kernelSize, kernelSize], stride is { } s ? [s, s] : null, [padding, padding]));

public sealed class AdaptiveAvgPool1d(long outputSize) : Lambda(nameof(AdaptiveAvgPool1d), x => functional.adaptive_avg_pool1d(x, outputSize));

public sealed class AdaptiveAvgPool2d(long[] outputSize) : Lambda(nameof(AdaptiveAvgPool2d), x => functional.adaptive_avg_pool2d(x, outputSize))
{
    public AdaptiveAvgPool2d(long outputSize) : this([outputSize, outputSize]) { }
}

/// <summary>A lookup table of num_embeddings vectors, initialised N(0, 1) (the padding row zeroed).</summary>
public sealed class Embedding : Module<Tensor, Tensor>
{
    public Embedding(long numEmbeddings, long embeddingDim, long? paddingIdx = null, Device? device = null) : base(nameof(Embedding))
    {
        PaddingIdx = paddingIdx is { } p && p < 0 ? p + numEmbeddings : paddingIdx;
        weight = new Parameter(empty([numEmbeddings, embeddingDim], device: device));
        register_parameter("weight", weight);
        init.normal_(weight);
        if (PaddingIdx is { } idx)
            using (no_grad())
            using (var row = weight.select(0, idx))
                row.zero_();
    }

    public long? PaddingIdx { get; }
    public Parameter weight { get; }

    public override Tensor forward(Tensor input) => functional.embedding(input, weight, PaddingIdx ?? -1);
}
