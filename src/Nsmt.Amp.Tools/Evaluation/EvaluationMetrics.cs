using Nsmt.Outputs;

namespace Nsmt.Amp.Evaluation;

/// <summary>Every measure of one prediction against its target, labelled with its convention.</summary>
public sealed record EvaluationMetrics
{
    public int Samples { get; init; }

    public int SampleRate { get; init; }

    /// <summary>NAM convention: sum((y-t)^2)/sum(t^2) over the whole range (one item).</summary>
    public double EsrNam { get; init; }

    /// <summary>Seed convention: mean((y-t)^2)/(mean(t^2)+1e-8).</summary>
    public double EsrPooled { get; init; }

    public double Mse { get; init; }

    public double Rmse { get; init; }

    public double SnrDb { get; init; }

    public double Pearson { get; init; }

    /// <summary>Null test: RMS of t - y, dBFS.</summary>
    public double ResidualRmsDbfs { get; init; }

    /// <summary>Null test relative to the target's RMS, dB (= -SNR).</summary>
    public double ResidualRelativeDb { get; init; }

    public double DcError { get; init; }

    /// <summary>Multi-resolution STFT distance (auraloss convention, NAM's resolutions, no pre-emphasis).</summary>
    public double MultiResolutionStft { get; init; }

    /// <summary>NAM's grade of <see cref="EsrNam"/>.</summary>
    public required string QualityGrade { get; init; }

    /// <summary>The predecessor project's grade of <see cref="Pearson"/>.</summary>
    public required string CorrelationGrade { get; init; }

    public static EvaluationMetrics Compute(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target, int sampleRate)
    {
        var esr = Metrics.Esr(prediction, target);
        var pearson = Metrics.Pearson(prediction, target);
        var longEnough = target.Length > Metrics.NamResolutions.Max(r => r.FftSize) / 2;
        double targetRms = 0;
        foreach (var v in target)
        {
            targetRms += (double)v * v;
        }

        targetRms = target.Length == 0 ? 0 : Math.Sqrt(targetRms / target.Length);
        var residual = Metrics.ResidualRmsDbfs(prediction, target);
        return new EvaluationMetrics
        {
            Samples = target.Length,
            SampleRate = sampleRate,
            EsrNam = esr,
            EsrPooled = Metrics.EsrPooled(prediction, target),
            Mse = Metrics.Mse(prediction, target),
            Rmse = Metrics.Rmse(prediction, target),
            SnrDb = Metrics.SnrDb(prediction, target),
            Pearson = pearson,
            ResidualRmsDbfs = residual,
            ResidualRelativeDb = residual - (20 * Math.Log10(targetRms)),
            DcError = Metrics.DcError(prediction, target),
            MultiResolutionStft = longEnough ? Metrics.MultiResolutionStft(prediction, target) : double.NaN,
            QualityGrade = NamGrades.Of(esr),
            CorrelationGrade = Metrics.CorrelationGrade(pearson),
        };
    }
}
