using static Nsmt.Torch.torch;
using static Nsmt.Torch.torch.nn;

namespace Nsmt.Torch.Modules;

/// <summary>Batch normalisation with running statistics (buffers running_mean, running_var, num_batches_tracked).</summary>
public abstract class BatchNorm : Module<Tensor, Tensor>
{
    private readonly int[] acceptedDims;

    protected BatchNorm(string name, long features, double eps, double? momentum, bool affine, bool trackRunningStats, int[] acceptedDims, Device? device)
        : base(name)
    {
        this.acceptedDims = acceptedDims;
        NumFeatures = features;
        Eps = eps;
        Momentum = momentum;
        if (affine)
        {
            weight = new Parameter(ones([features], device: device));
            bias = new Parameter(zeros([features], device: device));
        }
        register_parameter("weight", weight);
        register_parameter("bias", bias);
        if (trackRunningStats)
        {
            running_mean = zeros([features], device: device);
            running_var = ones([features], device: device);
            num_batches_tracked = zeros([], ScalarType.Int64, device);
        }
        register_buffer("running_mean", running_mean);
        register_buffer("running_var", running_var);
        register_buffer("num_batches_tracked", num_batches_tracked);
    }

    public long NumFeatures { get; }
    public double Eps { get; }
    public double? Momentum { get; }
    public Parameter? weight { get; }
    public Parameter? bias { get; }
    public Tensor? running_mean { get; }
    public Tensor? running_var { get; }
    public Tensor? num_batches_tracked { get; }

    public override Tensor forward(Tensor input)
    {
        var dims = input.Dimensions;
        if (!acceptedDims.Contains((int)dims))
            throw new ArgumentException($"{GetName} expects a {string.Join(" or ", acceptedDims)}-d input, got {dims}-d [{string.Join(", ", input.shape)}]");
        var factor = Momentum ?? 0.0;
        if (training && num_batches_tracked is not null)
        {
            num_batches_tracked.add_(1);
            factor = Momentum ?? 1.0 / num_batches_tracked.ToDouble();
        }
        var useBatchStats = training || running_mean is null;
        return functional.batch_norm(input, running_mean, running_var, weight, bias, useBatchStats, factor, Eps);
    }
}

public sealed class BatchNorm1d(long features, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool track_running_stats = true, Device? device = null)
    : BatchNorm(nameof(BatchNorm1d), features, eps, momentum, affine, track_running_stats, [2, 3], device);

public sealed class BatchNorm2d(long features, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool track_running_stats = true, Device? device = null)
    : BatchNorm(nameof(BatchNorm2d), features, eps, momentum, affine, track_running_stats, [4], device);

public sealed class LayerNorm : Module<Tensor, Tensor>
{
    public LayerNorm(long[] normalizedShape, double eps = 1e-5, bool elementwiseAffine = true, Device? device = null) : base(nameof(LayerNorm))
    {
        NormalizedShape = normalizedShape;
        Eps = eps;
        if (elementwiseAffine)
        {
            weight = new Parameter(ones(normalizedShape, device: device));
            bias = new Parameter(zeros(normalizedShape, device: device));
        }
        register_parameter("weight", weight);
        register_parameter("bias", bias);
    }

    public LayerNorm(long normalizedShape, double eps = 1e-5, bool elementwiseAffine = true, Device? device = null)
        : this([normalizedShape], eps, elementwiseAffine, device) { }

    public long[] NormalizedShape { get; }
    public double Eps { get; }
    public Parameter? weight { get; }
    public Parameter? bias { get; }

    public override Tensor forward(Tensor input) => functional.layer_norm(input, NormalizedShape, weight, bias, Eps);
}

public sealed class GroupNorm : Module<Tensor, Tensor>
{
    public GroupNorm(long numGroups, long numChannels, double eps = 1e-5, bool affine = true, Device? device = null) : base(nameof(GroupNorm))
    {
        if (numChannels % numGroups != 0)
            throw new ArgumentException($"GroupNorm: num_channels ({numChannels}) must be divisible by num_groups ({numGroups})");
        NumGroups = numGroups;
        Eps = eps;
        if (affine)
        {
            weight = new Parameter(ones([numChannels], device: device));
            bias = new Parameter(zeros([numChannels], device: device));
        }
        register_parameter("weight", weight);
        register_parameter("bias", bias);
    }

    public long NumGroups { get; }
    public double Eps { get; }
    public Parameter? weight { get; }
    public Parameter? bias { get; }

    public override Tensor forward(Tensor input) => functional.group_norm(input, NumGroups, weight, bias, Eps);
}
