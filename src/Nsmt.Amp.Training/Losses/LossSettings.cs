namespace Nsmt.Amp.Training.Losses;

/// <summary>
/// Weights of the training loss terms; a term with weight 0 is not computed. The default is NAM's
/// WaveNet loss: MSE + 2e-4 * multi-resolution STFT loss on pre-emphasised signals (coef 0.85).
/// </summary>
public sealed record LossSettings
{
    /// <summary>Mean squared error.</summary>
    public double Mse { get; init; } = 1.0;

    /// <summary>NAM's ESR (per item, averaged).</summary>
    public double Esr { get; init; }

    /// <summary>The predecessor project's ESR (pooled over the batch).</summary>
    public double EsrPooled { get; init; }

    /// <summary>MSE of pre-emphasised signals.</summary>
    public double PreEmphasisMse { get; init; }

    /// <summary>ESR (per item) of pre-emphasised signals (Wright et al.'s ESR loss).</summary>
    public double PreEmphasisEsr { get; init; }

    /// <summary>Multi-resolution STFT loss of the raw signals.</summary>
    public double Mrstft { get; init; }

    /// <summary>Multi-resolution STFT loss of pre-emphasised signals (NAM: 2e-4).</summary>
    public double PreEmphasisMrstft { get; init; } = 2e-4;

    /// <summary>DC loss.</summary>
    public double Dc { get; init; }

    /// <summary>Pre-emphasis coefficient for every pre-emphasised term (0.85; 0.95 and 0.97 are also used).</summary>
    public double PreEmphasisCoefficient { get; init; } = 0.85;

    public static LossSettings Nam { get; } = new();

    /// <summary>Each weight with its config key, in a fixed order.</summary>
    public IEnumerable<(string key, double weight)> Terms()
    {
        yield return ("mse", Mse);
        yield return ("esr", Esr);
        yield return ("esr_pooled", EsrPooled);
        yield return ("pre_emph_mse", PreEmphasisMse);
        yield return ("pre_emph_esr", PreEmphasisEsr);
        yield return ("mrstft", Mrstft);
        yield return ("pre_emph_mrstft", PreEmphasisMrstft);
        yield return ("dc", Dc);
    }

    public void Validate()
    {
        foreach (var (key, weight) in Terms())
        {
            if (!(double.IsFinite(weight) && weight >= 0))
            {
                throw new ArgumentException($"loss.{key}: expected a finite weight >= 0, got {weight}");
            }
        }

        if (Terms().All(t => t.weight == 0))
        {
            throw new ArgumentException("loss: every weight is 0; give at least one term a positive weight");
        }

        if (!(PreEmphasisCoefficient is >= 0 and < 1))
        {
            throw new ArgumentException(
                $"loss.pre_emph_coef: expected a number in [0, 1), got {PreEmphasisCoefficient}"
            );
        }
    }
}
