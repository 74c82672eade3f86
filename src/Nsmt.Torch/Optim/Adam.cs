using Nsmt.Torch.Native;
using static Nsmt.Torch.torch;
using static Nsmt.Torch.torch.nn;
using static Nsmt.Torch.torch.optim;

namespace Nsmt.Torch.Modules;

/// <summary>Adam / AdamW (decoupled weight decay), PyTorch 1.13's arithmetic, one native call per step.</summary>
public sealed class Adam : Optimizer
{
    private readonly Parameter[] parameters;
    private readonly Tensor?[] expAvg;
    private readonly Tensor?[] expAvgSq;
    private readonly Tensor?[] maxExpAvgSq;
    private readonly long[] steps;

    internal Adam(IEnumerable<Parameter> parameters, double lr, double beta1, double beta2, double eps, double weightDecay, bool amsgrad,
        bool decoupled, bool maximize) : base(parameters, lr, beta1)
    {
        if (beta1 is < 0 or >= 1 || beta2 is < 0 or >= 1)
            throw new ArgumentOutOfRangeException(nameof(beta1), $"betas must be in [0, 1), got ({beta1}, {beta2})");
        this.parameters = AllParameters.ToArray();
        expAvg = new Tensor?[this.parameters.Length];
        expAvgSq = new Tensor?[this.parameters.Length];
        maxExpAvgSq = new Tensor?[this.parameters.Length];
        steps = new long[this.parameters.Length];
        Beta2 = beta2;
        Eps = eps;
        WeightDecay = weightDecay;
        AmsGrad = amsgrad;
        Decoupled = decoupled;
        Maximize = maximize;
    }

    public double Beta2 { get; }
    public double Eps { get; }
    public double WeightDecay { get; }
    public bool AmsGrad { get; }
    public bool Decoupled { get; }
    public bool Maximize { get; }

    public override unsafe void step()
    {
        var n = parameters.Length;
        Span<IntPtr> handles = n <= 256 ? stackalloc IntPtr[n] : new IntPtr[n];
        Span<IntPtr> m = n <= 256 ? stackalloc IntPtr[n] : new IntPtr[n];
        Span<IntPtr> v = n <= 256 ? stackalloc IntPtr[n] : new IntPtr[n];
        Span<IntPtr> vmax = n <= 256 ? stackalloc IntPtr[n] : new IntPtr[n];
        for (var i = 0; i < n; i++)
        {
            var p = parameters[i];
            if (expAvg[i] is null)
            {
                expAvg[i] = zeros_like(p).DetachFromDisposeScope();
                expAvgSq[i] = zeros_like(p).DetachFromDisposeScope();
                if (AmsGrad)
                    maxExpAvgSq[i] = zeros_like(p).DetachFromDisposeScope();
            }
            handles[i] = p.Handle;
            m[i] = expAvg[i]!.Handle;
            v[i] = expAvgSq[i]!.Handle;
            vmax[i] = maxExpAvgSq[i]?.Handle ?? IntPtr.Zero;
        }
        var group = ParamGroups[0];
        fixed (IntPtr* ph = handles, pm = m, pv = v, pvm = vmax)
        fixed (long* ps = steps)
            Check.Status(NativeMethods.nsmt_adam_step(ph, pm, pv, AmsGrad ? pvm : null, ps, n, group.LearningRate, group.Momentum, Beta2, Eps,
                WeightDecay, AmsGrad ? 1 : 0, Decoupled ? 1 : 0, Maximize ? 1 : 0));
    }

    protected override void SaveState(OptimizerState state)
    {
        for (var i = 0; i < parameters.Length; i++)
        {
            if (expAvg[i] is null)
                continue;
            state.Numbers[Key("state", i, "step")] = steps[i];
            state.Tensors[Key("state", i, "exp_avg")] = expAvg[i]!;
            state.Tensors[Key("state", i, "exp_avg_sq")] = expAvgSq[i]!;
            if (maxExpAvgSq[i] is { } vm)
                state.Tensors[Key("state", i, "max_exp_avg_sq")] = vm;
        }
    }

    protected override void LoadState(OptimizerState state)
    {
        for (var i = 0; i < parameters.Length; i++)
        {
            Replace(ref expAvg[i], state.Tensors.GetValueOrDefault(Key("state", i, "exp_avg")), parameters[i]);
            Replace(ref expAvgSq[i], state.Tensors.GetValueOrDefault(Key("state", i, "exp_avg_sq")), parameters[i]);
            Replace(ref maxExpAvgSq[i], state.Tensors.GetValueOrDefault(Key("state", i, "max_exp_avg_sq")), parameters[i]);
            steps[i] = state.Numbers.TryGetValue(Key("state", i, "step"), out var s) ? (long)s : 0;
        }
    }

    private static void Replace(ref Tensor? slot, Tensor? source, Tensor like)
    {
        slot?.Dispose();
        slot = source is null ? null : Own(source, like);
    }

    protected override void Dispose(bool disposing)
    {
        foreach (var t in expAvg.Concat(expAvgSq).Concat(maxExpAvgSq))
            t?.Dispose();
    }
}
