using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nsmt.Neural.Optimization;

/// <summary>
/// An exponential moving average of a model's parameters, updated after every optimiser step:
/// avg = decay * avg + (1 - decay) * w, starting from the initial weights (timm's ModelEmaV2, Lightning's
/// EMAWeightAveraging, NAM's optional EMA). Validation, checkpoints and exports use the average; the live weights keep
/// training. Both trainers use it: the spectral one (callbacks.weight_averaging) and the amp one (training.ema_decay).
/// </summary>
/// <remarks>
/// A constant learning rate leaves the weights wandering around a minimum (the template's cnn_tiny run swings by
/// several points of validation accuracy from one epoch to the next); the average sits nearer its centre.
/// BatchNorm statistics are not averaged: averaging them alongside the weights (as ModelEmaV2 does) was measured to
/// break cnn_tiny (bench/quality/RESULTS.md), because its activations' variance halves within one averaging horizon and
/// the averaged statistics lag the averaged weights. As SWA does (torch.optim.swa_utils.update_bn), the statistics of the
/// averaged network are recomputed from training data instead (<see cref="RecomputeBatchNorm"/>).
/// </remarks>
public sealed class WeightAverage : IDisposable
{
    private readonly (string Name, Tensor Live, Tensor Average)[] _entries;
    private readonly Tensor[] _buffers; // every buffer (BatchNorm statistics and counters): saved and restored around Apply

    public WeightAverage(nn.Module model, double decay)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!(decay is > 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(decay), decay, "weight averaging decay must be in (0, 1)");
        }

        Decay = decay;
        using var noGrad = no_grad();
        _entries =
        [
            .. model
                .named_parameters()
                .Select(p => (p.name, (Tensor)p.parameter, p.parameter.detach().clone().DetachFromDisposeScope())),
        ];
        _buffers = [.. model.named_buffers().Select(b => b.buffer)];
    }

    public double Decay { get; }

    /// <summary>Names of the averaged parameters, as in the model's state_dict.</summary>
    public IEnumerable<string> Names => _entries.Select(e => e.Name);

    /// <summary>The averages by parameter name (for checkpoints; each format chooses its own key prefix).</summary>
    public IEnumerable<(string Name, Tensor Average)> Averages => _entries.Select(e => (e.Name, e.Average));

    /// <summary>One step of the average; call after each optimiser step.</summary>
    public void Update()
    {
        using var noGrad = no_grad();
        foreach (var (_, live, average) in _entries)
        {
            average.mul_(Decay).add_(live, alpha: 1 - Decay);
        }
    }

    /// <summary>
    /// Puts the averaged parameters into the model until the result is disposed; then the live parameters and every
    /// buffer (BatchNorm statistics that <see cref="RecomputeBatchNorm"/> may have changed) come back.
    /// </summary>
    public IDisposable Apply() => new Swap(_entries, _buffers);

    /// <summary>
    /// SWA's update_bn: resets every BatchNorm's running statistics and re-estimates them as the plain average over
    /// <paramref name="inputs"/> (momentum None) with the model's current weights. Only the BatchNorm layers run in
    /// training mode, so dropout draws no random numbers and the training RNG stream is untouched.
    /// </summary>
    /// <param name="forward">Runs the model on one batch (the outputs are discarded).</param>
    public static void RecomputeBatchNorm<TBatch>(nn.Module model, IEnumerable<TBatch> inputs, Action<TBatch> forward)
        where TBatch : IDisposable
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(forward);
        var norms = model
            .modules()
            .OfType<NormBase>()
            .Where(m => m is BatchNorm1d or BatchNorm2d or BatchNorm3d)
            .ToArray();
        if (norms.Length == 0)
        {
            return;
        }

        var wasTraining = model.training;
        var momenta = norms.Select(n => n.momentum).ToArray();
        try
        {
            using var noGrad = no_grad();
            model.eval();
            foreach (var norm in norms)
            {
                norm.reset_running_stats();
                norm.momentum = null;
                norm.train();
            }
            foreach (var input in inputs)
            {
                using var scope = NewDisposeScope();
                forward(input);
                input.Dispose();
            }
        }
        finally
        {
            for (var i = 0; i < norms.Length; i++)
            {
                norms[i].momentum = momenta[i];
            }

            model.train(wasTraining);
        }
    }

    /// <summary>Copies the averaged parameters into the model for good (an export of what was validated).</summary>
    public void CopyToModel()
    {
        using var noGrad = no_grad();
        foreach (var (_, live, average) in _entries)
        {
            live.copy_(average);
        }
    }

    /// <summary>Restores the averages from a state dict holding every averaged parameter (a checkpoint's averaged model).</summary>
    public void Load(IReadOnlyDictionary<string, Tensor> averaged, string source)
    {
        using var noGrad = no_grad();
        foreach (var (name, _, average) in _entries)
        {
            if (!averaged.TryGetValue(name, out var saved))
            {
                throw new InvalidDataException(
                    $"{source}: the run averages weights but the checkpoint has no averaged '{name}'"
                );
            }

            average.copy_(saved);
        }
    }

    public void Dispose()
    {
        foreach (var (_, _, average) in _entries)
        {
            average.Dispose();
        }
    }

    private sealed class Swap : IDisposable
    {
        private readonly Tensor[] _targets;
        private readonly Tensor[] _saved;

        public Swap((string Name, Tensor Live, Tensor Average)[] entries, Tensor[] buffers)
        {
            using var noGrad = no_grad();
            _targets = [.. entries.Select(e => e.Live), .. buffers];
            _saved = [.. _targets.Select(t => t.detach().clone().DetachFromDisposeScope())];
            foreach (var (_, live, average) in entries)
            {
                live.copy_(average);
            }
        }

        public void Dispose()
        {
            using var noGrad = no_grad();
            for (var i = 0; i < _targets.Length; i++)
            {
                _targets[i].copy_(_saved[i]);
                _saved[i].Dispose();
            }
        }
    }
}
