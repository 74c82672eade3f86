using TorchSharp;
using static TorchSharp.torch;

namespace Nsmt.Training.Optimization;

/// <summary>
/// An exponential moving average of a model's weights, updated after every optimiser step:
/// avg = decay * avg + (1 - decay) * w, starting from the initial weights (timm's ModelEmaV2,
/// Lightning's EMAWeightAveraging). Floating-point buffers (BatchNorm running statistics) are averaged
/// too, so the averaged network normalises with statistics that match its weights; integer buffers
/// (num_batches_tracked) are not averaged and stay the live model's. Validation and checkpoints use the
/// average; the live weights keep training.
/// </summary>
/// <remarks>
/// A constant learning rate leaves the weights wandering around a minimum (the template's cnn_tiny run swings by
/// several points of validation accuracy from one epoch to the next); the average sits nearer its centre.
/// </remarks>
public sealed class WeightAverage : IDisposable
{
    private readonly (string Name, Tensor Live, Tensor Average)[] entries;

    public WeightAverage(nn.Module model, double decay)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!(decay is > 0 and < 1))
            throw new ArgumentOutOfRangeException(nameof(decay), decay, "weight averaging decay must be in (0, 1)");
        Decay = decay;
        using var noGrad = no_grad();
        entries = [.. model.state_dict()
            .Where(e => e.Value.is_floating_point())
            .Select(e => (e.Key, e.Value, e.Value.detach().clone().DetachFromDisposeScope()))];
    }

    public double Decay { get; }

    /// <summary>Names of the averaged entries, as in the model's state_dict.</summary>
    public IEnumerable<string> Names => entries.Select(e => e.Name);

    /// <summary>One step of the average; call after each optimiser step.</summary>
    public void Update()
    {
        using var noGrad = no_grad();
        foreach (var (_, live, average) in entries)
            average.mul_(Decay).add_(live, alpha: 1 - Decay);
    }

    /// <summary>Puts the averaged weights into the model until the result is disposed (the live weights come back).</summary>
    public IDisposable Apply() => new Swap(entries);

    /// <summary>Restores the averages from a state dict holding every averaged entry (a checkpoint's averaged model).</summary>
    public void Load(IReadOnlyDictionary<string, Tensor> averaged, string source)
    {
        using var noGrad = no_grad();
        foreach (var (name, _, average) in entries)
        {
            if (!averaged.TryGetValue(name, out var saved))
                throw new InvalidDataException($"{source}: the run averages weights but the checkpoint has no averaged '{name}'");
            average.copy_(saved);
        }
    }

    public void Dispose()
    {
        foreach (var (_, _, average) in entries)
            average.Dispose();
    }

    private sealed class Swap : IDisposable
    {
        private readonly (string Name, Tensor Live, Tensor Average)[] entries;
        private readonly Tensor[] live;

        public Swap((string Name, Tensor Live, Tensor Average)[] entries)
        {
            this.entries = entries;
            using var noGrad = no_grad();
            live = [.. entries.Select(e => e.Live.detach().clone().DetachFromDisposeScope())];
            foreach (var (_, target, average) in entries)
                target.copy_(average);
        }

        public void Dispose()
        {
            using var noGrad = no_grad();
            for (var i = 0; i < entries.Length; i++)
            {
                entries[i].Live.copy_(live[i]);
                live[i].Dispose();
            }
        }
    }
}
