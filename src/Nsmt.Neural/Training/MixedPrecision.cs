using Nsmt.Neural.Engine;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nsmt.Neural.Training;

/// <summary>
/// A domain's training step in its run's precision. TorchSharp has no autocast, so bf16-mixed is the classic recipe
/// (Micikevicius et al., "Mixed Precision Training", 2018) with explicit casts: the domain's model keeps the float32
/// master weights, which the optimiser, its state, the weight average, validation and checkpoints use; a compute copy
/// of the same architecture holds them rounded to bfloat16 in its layers with weights (convolutions, linear layers),
/// each of which casts its input to bfloat16 as autocast would; the model's inputs go in as they are (a recurrent core
/// that a model calls through forward, past the hooks, takes the float32 it gets). Normalisation layers (BatchNorm,
/// LayerNorm, GroupNorm, InstanceNorm) keep float32 weights and statistics (libtorch normalises a bfloat16 input with
/// float32 parameters, accumulating in float32); recurrent layers (LSTM, GRU) and parameters of containers stay
/// float32. A step copies the
/// master weights in (<see cref="BeginStep"/>), runs forward and backward on the copy, computes the loss in float32 from
/// outputs cast back (<see cref="Out"/>), and hands the gradients to the master weights in float32 and the BatchNorm
/// statistics to the master model (<see cref="Backward"/>).
/// In float32 mode it is a pass-through: the master model computes and <see cref="Backward"/> is zero_grad + backward.
/// </summary>
public sealed class MixedPrecision<TModule> : IDisposable
    where TModule : nn.Module
{
    private readonly TModule _master;
    private readonly TModule? _copy;
    private readonly (Tensor Master, Tensor Copy)[] _parameters = [];
    private readonly (Tensor Master, Tensor Copy)[] _buffers = [];
    private readonly HookHandle[] _hooks = [];

    /// <param name="build">builds a fresh model of the master's architecture (called once, for bf16-mixed only)</param>
    public MixedPrecision(PrecisionMode mode, TModule master, Func<TModule> build)
    {
        ArgumentNullException.ThrowIfNull(master);
        ArgumentNullException.ThrowIfNull(build);
        _master = master;
        Mode = mode;
        if (mode != PrecisionMode.BFloat16Mixed)
        {
            return;
        }

        // Building draws initial weights that the master's overwrite; the random stream stays as a float32 run leaves
        // it, so both precisions shuffle and drop out alike from the same seed.
        TModule copy;
        using (var state = random.get_rng_state())
        {
            copy = build();
            random.set_rng_state(state);
        }

        copy.to(master.ParameterDevice());
        _hooks = [.. copy.modules().Where(m => !m.children().Any()).SelectMany(Prepare)];
        _copy = copy;
        _parameters = Pairs(
            master.named_parameters().Select(p => (p.name, (Tensor)p.parameter)),
            copy.named_parameters().Select(p => (p.name, (Tensor)p.parameter))
        );
        _buffers = Pairs(master.named_buffers(), copy.named_buffers());
    }

    public PrecisionMode Mode { get; }

    /// <summary>The model that computes the training step: the bfloat16 copy, or the master model itself.</summary>
    public TModule Compute => _copy ?? _master;

    /// <summary>Before the step's forward: the copy takes the master's weights, statistics and train/eval mode.</summary>
    public void BeginStep()
    {
        if (_copy is null)
        {
            return;
        }

        _copy.train(_master.training);
        using var noGrad = no_grad();
        foreach (var (master, copy) in _parameters)
        {
            copy.copy_(master);
        }

        foreach (var (master, copy) in _buffers)
        {
            copy.copy_(master);
        }
    }

    /// <summary>An output as the loss takes it: float32 (losses and metrics are never computed in bfloat16).</summary>
    public Tensor Out(Tensor output)
    {
        ArgumentNullException.ThrowIfNull(output);
        return output.dtype == ScalarType.BFloat16 ? output.to(ScalarType.Float32) : output;
    }

    /// <summary>
    /// The gradients of <paramref name="loss"/> (float32, from <see cref="Out"/>) on the master weights, in float32, ready
    /// for clipping and the optimiser's step; the copy's normalisation statistics go back to the master model.
    /// </summary>
    public void Backward(optim.Optimizer optimizer, Tensor loss)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(loss);
        optimizer.zero_grad();
        if (_copy is null)
        {
            loss.backward();
            return;
        }

        _copy.zero_grad();
        loss.backward();
        using var noGrad = no_grad();
        foreach (var (master, copy) in _parameters)
        {
            if (copy.grad is not { } gradient)
            {
                continue;
            }

            if (master.grad is { } existing)
            {
                existing.copy_(gradient);
            }
            else
            {
                master.grad = gradient.to(ScalarType.Float32);
            }
        }

        // The forward updated the copy's BatchNorm statistics (float32 there); the master model keeps them.
        foreach (var (master, copy) in _buffers)
        {
            master.copy_(copy);
        }
    }

    public void Dispose()
    {
        foreach (var hook in _hooks)
        {
            hook.Dispose();
        }

        _copy?.Dispose();
    }

    /// <summary>
    /// Readies one leaf layer of the compute copy (autocast's per-op casts, per layer): a layer with weights of its own
    /// computes in bfloat16 and casts what comes in to bfloat16 (an input promoted to float32 on the way, by a float32
    /// parameter of a container, say, is cast back); normalisations stay float32 and take bfloat16 as it is; recurrent
    /// layers (LSTM, GRU) stay float32 and take float32, as their hidden state is. Layers without weights are untouched.
    /// Returns the hooks to remove.
    /// </summary>
    private static IEnumerable<HookHandle> Prepare(nn.Module layer)
    {
        if (!layer.parameters().Any() || IsNormalisation(layer))
        {
            return [];
        }

        switch (layer)
        {
            case LSTM lstm:
                var lstmHook = lstm.register_forward_pre_hook((_, x, state) => (ToFloat32(x), state));
                return [new HookHandle(lstmHook.remove)];
            case GRU gru:
                var gruHook = gru.register_forward_pre_hook((_, x, state) => (ToFloat32(x), state));
                return [new HookHandle(gruHook.remove)];
            case nn.Module<Tensor, Tensor> unary:
                unary.to(ScalarType.BFloat16);
                var hook = unary.register_forward_pre_hook(
                    (_, x) => x.is_floating_point() ? x.to(ScalarType.BFloat16) : x
                );
                return [new HookHandle(hook.remove)];
            default:
                return [];
        }
    }

    private static Tensor ToFloat32(Tensor x) => x.dtype == ScalarType.BFloat16 ? x.to(ScalarType.Float32) : x;

    /// <summary>The layers whose weights and statistics stay float32 in the compute copy.</summary>
    public static bool IsNormalisation(nn.Module module) =>
        module
            is BatchNorm1d
                or BatchNorm2d
                or BatchNorm3d
                or LayerNorm
                or GroupNorm
                or InstanceNorm1d
                or InstanceNorm2d
                or InstanceNorm3d;

    private static (Tensor Master, Tensor Copy)[] Pairs(
        IEnumerable<(string Name, Tensor Tensor)> master,
        IEnumerable<(string Name, Tensor Tensor)> copy
    )
    {
        var copies = copy.ToDictionary(c => c.Name, c => c.Tensor);
        var pairs = master
            .Select(m =>
                copies.TryGetValue(m.Name, out var c)
                    ? (m.Tensor, c)
                    : throw new InvalidOperationException(
                        $"mixed precision: the compute copy has no '{m.Name}' (build must make the master's architecture)"
                    )
            )
            .ToArray();
        return pairs.Length == copies.Count
            ? pairs
            : throw new InvalidOperationException(
                $"mixed precision: the compute copy has {copies.Count} tensors where the master has {pairs.Length}"
            );
    }
}
