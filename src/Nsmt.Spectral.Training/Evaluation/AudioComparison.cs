using System.Numerics;
using Nsmt.Audio.Dsp;

namespace Nsmt.Spectral.Training.Evaluation;

/// <summary>How close a re-synthesised clip is to the true one (spectral-models.md, audio reconstruction).</summary>
public sealed record AudioComparison(
    double Mse,
    double Rmse,
    double SnrDb,
    double Correlation,
    double MaxCrossCorrelation
)
{
    /// <summary>The spec's "good" thresholds for the audio side: SNR above 20 dB and correlation above 0.8.</summary>
    public bool IsGood => SnrDb > 20 && Correlation > 0.8;

    public static AudioComparison Compute(ReadOnlySpan<float> truth, ReadOnlySpan<float> predicted)
    {
        var n = Math.Min(truth.Length, predicted.Length);
        if (n == 0)
        {
            throw new ArgumentException("cannot compare empty clips");
        }

        double errorEnergy = 0,
            trueEnergy = 0,
            predEnergy = 0;
        for (var i = 0; i < n; i++)
        {
            double t = truth[i],
                p = predicted[i],
                e = t - p;
            errorEnergy += e * e;
            trueEnergy += t * t;
            predEnergy += p * p;
        }
        var mse = errorEnergy / n;
        var snr = errorEnergy == 0 ? double.PositiveInfinity : 10 * Math.Log10(trueEnergy / errorEnergy);
        // A constant clip has no defined correlation; for the spec's "good" threshold it counts as none (0).
        var pearson = Nsmt.Audio.Dsp.Correlation.Pearson(truth[..n], predicted[..n]);
        var correlation = double.IsNaN(pearson) ? 0 : pearson;
        var xcorr =
            trueEnergy > 0 && predEnergy > 0
                ? PeakCrossCorrelation(truth[..n], predicted[..n]) / Math.Sqrt(trueEnergy * predEnergy)
                : 0;
        return new AudioComparison(mse, Math.Sqrt(mse), snr, correlation, xcorr);
    }

    /// <summary>max over all lags of sum t[i] p[i+lag], by FFT (zero-padded so the correlation is linear, not circular).</summary>
    private static double PeakCrossCorrelation(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)(a.Length + b.Length - 1));
        var fa = new Complex[size];
        var fb = new Complex[size];
        for (var i = 0; i < a.Length; i++)
        {
            fa[i] = a[i];
        }

        for (var i = 0; i < b.Length; i++)
        {
            fb[i] = b[i];
        }

        var fft = Fft.Get(size);
        var sa = new Complex[size];
        var sb = new Complex[size];
        fft.Forward(fa, sa);
        fft.Forward(fb, sb);
        for (var i = 0; i < size; i++)
        {
            sa[i] = Complex.Conjugate(sa[i]) * sb[i];
        }

        fft.Inverse(sa, fa);
        return fa.Max(c => c.Real) / size; // the inverse transform is unscaled
    }
}
