namespace Nsmt.Audio.Dsp;

/// <summary>Correlation between two signals, shared by the amp evaluation and the spectral models' re-synthesis check.</summary>
public static class Correlation
{
    /// <summary>
    /// Pearson's r of two equally long signals, accumulated in double. NaN when either signal is constant (or empty):
    /// r is undefined there, and each caller says what that means for its verdict.
    /// </summary>
    public static double Pearson(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException(
                $"signals of {a.Length} and {b.Length} samples: Pearson's r needs equal lengths"
            );
        }

        var n = a.Length;
        if (n == 0)
        {
            return double.NaN;
        }

        double meanA = 0,
            meanB = 0;
        for (var i = 0; i < n; i++)
        {
            meanA += a[i];
            meanB += b[i];
        }

        meanA /= n;
        meanB /= n;
        double covariance = 0,
            varianceA = 0,
            varianceB = 0;
        for (var i = 0; i < n; i++)
        {
            var da = a[i] - meanA;
            var db = b[i] - meanB;
            covariance += da * db;
            varianceA += da * da;
            varianceB += db * db;
        }

        return varianceA > 0 && varianceB > 0 ? covariance / Math.Sqrt(varianceA * varianceB) : double.NaN;
    }
}
