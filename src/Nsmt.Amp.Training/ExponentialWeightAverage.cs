using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Nsmt.Amp.Training;

/// <summary>
/// An exponential moving average of a model's parameters, updated after every optimiser step
/// (avg = decay * avg + (1 - decay) * p, starting from the initial weights), as NAM's optional EMA
/// (Lightning's EMAWeightAveraging). Validation and exported models use the average; the raw
/// weights keep training. Small batches make single steps noisy; the average is what settles.
/// </summary>
public sealed class ExponentialWeightAverage : IDisposable
{
    public const string Prefix = "ema/";

    private readonly (string name, Parameter parameter, Tensor average)[] entries;

    public ExponentialWeightAverage(nn.Module model, double decay)
    {
        if (!(decay is > 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(decay), decay, "EMA decay must be in (0, 1)");
        }

        Decay = decay;
        using var noGrad = no_grad();
        entries = model.named_parameters().Select(p => (p.name, p.parameter, p.parameter.detach().clone().DetachFromDisposeScope())).ToArray();
    }

    public double Decay { get; }

    public void Update()
    {
        using var noGrad = no_grad();
        foreach (var (_, parameter, average) in entries)
        {
            average.mul_(Decay).add_(parameter, 1 - Decay);
        }
    }

    /// <summary>Copies the averaged weights into the model for good.</summary>
    public void CopyToModel()
    {
        using var noGrad = no_grad();
        foreach (var (_, parameter, average) in entries)
        {
            parameter.copy_(average);
        }
    }

    /// <summary>Puts the averaged weights into the model until the result is disposed (the raw weights come back).</summary>
    public IDisposable Apply() => new Swap(entries);

    /// <summary>The averages by parameter name, prefixed "ema/" (for checkpoints).</summary>
    public IEnumerable<(string name, Tensor tensor)> State() => entries.Select(e => (Prefix + e.name, e.average));

    /// <summary>Restores the averages from checkpoint tensors; every parameter must be present.</summary>
    public void Load(IReadOnlyDictionary<string, Tensor> tensors, string source)
    {
        using var noGrad = no_grad();
        foreach (var (name, _, average) in entries)
        {
            if (!tensors.TryGetValue(Prefix + name, out var saved))
            {
                throw new InvalidDataException($"{source}: the run averages weights (training.ema_decay) but the checkpoint has no '{Prefix + name}'");
            }

            average.copy_(saved);
        }
    }

    public void Dispose()
    {
        foreach (var (_, _, average) in entries)
        {
            average.Dispose();
        }
    }

    private sealed class Swap : IDisposable
    {
        private readonly (string name, Parameter parameter, Tensor average)[] entries;
        private readonly Tensor[] raw;

        public Swap((string name, Parameter parameter, Tensor average)[] entries)
        {
            this.entries = entries;
            using var noGrad = no_grad();
            raw = entries.Select(e => e.parameter.detach().clone().DetachFromDisposeScope()).ToArray();
            foreach (var (_, parameter, average) in entries)
            {
                parameter.copy_(average);
            }
        }

        public void Dispose()
        {
            using var noGrad = no_grad();
            for (int i = 0; i < entries.Length; i++)
            {
                entries[i].parameter.copy_(raw[i]);
                raw[i].Dispose();
            }
        }
    }
}
