using Nsmt.Torch.Native;
using static Nsmt.Torch.torch;
using static Nsmt.Torch.torch.nn;
using static Nsmt.Torch.torch.optim;

namespace Nsmt.Torch.Modules;

/// <summary>Stochastic gradient descent with optional momentum, dampening, Nesterov and weight decay.</summary>
public sealed class SGD : Optimizer
{
    private readonly Parameter[] parameters;
    private readonly IntPtr[] momentumBuffers;
    private readonly Tensor?[] buffers;

    internal SGD(IEnumerable<Parameter> parameters, double lr, double momentum, double dampening, double weightDecay, bool nesterov, bool maximize)
        : base(parameters, lr, momentum)
    {
        if (nesterov && (momentum <= 0 || dampening != 0))
            throw new ArgumentException("Nesterov momentum requires a momentum and zero dampening");
        this.parameters = AllParameters.ToArray();
        momentumBuffers = new IntPtr[this.parameters.Length];
        buffers = new Tensor?[this.parameters.Length];
        Dampening = dampening;
        WeightDecay = weightDecay;
        Nesterov = nesterov;
        Maximize = maximize;
    }

    public double Dampening { get; }
    public double WeightDecay { get; }
    public bool Nesterov { get; }
    public bool Maximize { get; }

    public override unsafe void step()
    {
        var n = parameters.Length;
        var handles = new IntPtr[n];
        for (var i = 0; i < n; i++)
        {
            handles[i] = parameters[i].Handle;
            momentumBuffers[i] = buffers[i]?.Handle ?? IntPtr.Zero;
        }
        var group = ParamGroups[0];
        fixed (IntPtr* ph = handles, pb = momentumBuffers)
            Check.Status(NativeMethods.nsmt_sgd_step(ph, pb, n, group.LearningRate, group.Momentum, Dampening, WeightDecay, Nesterov ? 1 : 0, Maximize ? 1 : 0));
        // The shim creates a buffer on a parameter's first step; adopt it.
        for (var i = 0; i < n; i++)
            if (buffers[i] is null && momentumBuffers[i] != IntPtr.Zero)
                buffers[i] = new Tensor(momentumBuffers[i], inScope: false);
    }

    protected override void SaveState(OptimizerState state)
    {
        for (var i = 0; i < parameters.Length; i++)
            if (buffers[i] is { } b)
                state.Tensors[Key("state", i, "momentum_buffer")] = b;
    }

    protected override void LoadState(OptimizerState state)
    {
        for (var i = 0; i < parameters.Length; i++)
        {
            buffers[i]?.Dispose();
            buffers[i] = state.Tensors.TryGetValue(Key("state", i, "momentum_buffer"), out var b) ? Own(b, parameters[i]) : null;
        }
    }

    protected override void Dispose(bool disposing)
    {
        foreach (var b in buffers)
            b?.Dispose();
    }
}

