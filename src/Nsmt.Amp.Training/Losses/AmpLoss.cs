using static TorchSharp.torch;

namespace Nsmt.Amp.Training.Losses;

/// <summary>The weighted training loss of <see cref="LossSettings"/>, with each term's value for logging.</summary>
public sealed class AmpLoss : IDisposable
{
    private readonly MultiResolutionStftLoss? _stft;

    public AmpLoss(LossSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        Settings = settings;
        if (settings.Mrstft > 0 || settings.PreEmphasisMrstft > 0)
        {
            _stft = new MultiResolutionStftLoss();
        }
    }

    public LossSettings Settings { get; }

    /// <summary>The total loss (differentiable) and the detached value of every active term, keyed as in the config.</summary>
    public (Tensor total, IReadOnlyDictionary<string, Tensor> terms) Compute(Tensor prediction, Tensor target)
    {
        using var scope = NewDisposeScope();
        var terms = new Dictionary<string, Tensor>();
        Tensor? total = null;
        Tensor? emphasisedPrediction = null,
            emphasisedTarget = null;
        (Tensor, Tensor) Emphasised()
        {
            emphasisedPrediction ??= AmpLosses.PreEmphasis(prediction, Settings.PreEmphasisCoefficient);
            emphasisedTarget ??= AmpLosses.PreEmphasis(target, Settings.PreEmphasisCoefficient);
            return (emphasisedPrediction, emphasisedTarget);
        }

        void Add(string key, double weight, Func<Tensor> term)
        {
            if (weight == 0)
            {
                return;
            }

            var value = term();
            terms[key] = value.detach();
            var weighted = value * weight;
            total = total is null ? weighted : total + weighted;
        }

        var s = Settings;
        Add("mse", s.Mse, () => AmpLosses.Mse(prediction, target));
        Add("esr", s.Esr, () => AmpLosses.Esr(prediction, target));
        Add("esr_pooled", s.EsrPooled, () => AmpLosses.EsrPooled(prediction, target));
        Add("pre_emph_mse", s.PreEmphasisMse, () =>
        {
            var (p, t) = Emphasised();
            return AmpLosses.Mse(p, t);
        });
        Add("pre_emph_esr", s.PreEmphasisEsr, () =>
        {
            var (p, t) = Emphasised();
            return AmpLosses.Esr(p, t);
        });
        Add("mrstft", s.Mrstft, () => _stft!.forward(prediction, target));
        Add("pre_emph_mrstft", s.PreEmphasisMrstft, () =>
        {
            var (p, t) = Emphasised();
            return _stft!.forward(p, t);
        });
        Add("dc", s.Dc, () => AmpLosses.Dc(prediction, target));
        foreach (var value in terms.Values)
        {
            value.MoveToOuterDisposeScope();
        }

        return (total!.MoveToOuterDisposeScope(), terms);
    }

    public void Dispose() => _stft?.Dispose();
}
