using static Nsmt.Torch.torch;
using static Nsmt.Torch.torch.nn;

namespace Nsmt.Torch.Modules;

/// <summary>y = x W^T + b. Initialised as PyTorch: kaiming_uniform(a=sqrt 5) weights, uniform(+-1/sqrt fan_in) bias.</summary>
public sealed class Linear : Module<Tensor, Tensor>
{
    public Linear(long inputSize, long outputSize, bool hasBias = true, Device? device = null) : base(nameof(Linear))
    {
        InputSize = inputSize;
        OutputSize = outputSize;
        weight = new Parameter(empty([outputSize, inputSize], device: device));
        bias = hasBias ? new Parameter(empty([outputSize], device: device)) : null;
        register_parameter("weight", weight);
        register_parameter("bias", bias);
        ResetParameters.KaimingWithFanInBias(weight, bias);
    }

    public long InputSize { get; }
    public long OutputSize { get; }
    public Parameter weight { get; }
    public Parameter? bias { get; }

    public override Tensor forward(Tensor input) => functional.linear(input, weight, bias);
}

/// <summary>The default initialisation shared by Linear and convolutions (reset_parameters in PyTorch).</summary>
internal static class ResetParameters
{
    public static void KaimingWithFanInBias(Tensor weight, Tensor? bias)
    {
        init.kaiming_uniform_(weight, a: Math.Sqrt(5));
        if (bias is null)
            return;
        var (fanIn, _) = init.calculate_fan_in_and_fan_out(weight);
        var bound = fanIn > 0 ? 1 / Math.Sqrt(fanIn) : 0;
        init.uniform_(bias, -bound, bound);
    }
}
