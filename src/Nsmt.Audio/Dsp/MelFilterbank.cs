namespace Nsmt.Audio.Dsp;

/// <summary>
/// Triangular filters on the HTK mel scale (1127 ln(1 + f/700)), as NSMT builds them: bands+2
/// mel-equally-spaced points from fMin to fMax, triangles evaluated at FFT bin centres, each filter
/// divided by its sum (unit area). Optionally cropped to the bins below fMax.
/// </summary>
public sealed class MelFilterbank
{
    private readonly double[][] _weights; // [band][bin]

    private MelFilterbank(double[][] weights, int inputBins)
    {
        _weights = weights;
        InputBins = inputBins;
    }

    public int Bands => _weights.Length;

    /// <summary>How many of the lowest FFT bins the filters read.</summary>
    public int InputBins { get; }

    public double this[int band, int bin] => _weights[band][bin];

    public static double HzToMel(double hz) => 1127.0 * Math.Log(1.0 + (hz / 700.0));

    public static double MelToHz(double mel) => 700.0 * (Math.Exp(mel / 1127.0) - 1.0);

    public static MelFilterbank Create(
        double sampleRate,
        int nFft,
        int bands,
        double fMin,
        double fMax,
        bool crop = true
    )
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bands, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(nFft, 2);
        if (!(fMin >= 0 && fMax > fMin && fMax <= sampleRate / 2))
        {
            throw new ArgumentException(
                $"mel range must satisfy 0 <= fMin < fMax <= sr/2, got fMin={fMin} fMax={fMax} sr={sampleRate}"
            );
        }

        var inputBins = (nFft / 2) + 1;
        if (crop)
        {
            inputBins = Math.Min(inputBins, (int)Math.Ceiling(fMax * nFft / sampleRate));
        }

        var minMel = HzToMel(fMin);
        var maxMel = HzToMel(fMax);
        var peaksBin = new double[bands + 2];
        for (var i = 0; i < peaksBin.Length; i++)
        {
            var mel = minMel + ((maxMel - minMel) * i / (bands + 1));
            peaksBin[i] = MelToHz(mel) * nFft / sampleRate;
        }

        var weights = new double[bands][];
        for (var b = 0; b < bands; b++)
        {
            double l = peaksBin[b],
                c = peaksBin[b + 1],
                r = peaksBin[b + 2];
            var w = new double[inputBins];
            double sum = 0;
            for (var k = 0; k < inputBins; k++)
            {
                var v = Math.Max(0.0, Math.Min((k - l) / (c - l), (k - r) / (c - r)));
                w[k] = v;
                sum += v;
            }

            // A filter narrower than a bin can miss every bin centre; dividing by 0 would give NaN.
            if (sum == 0)
            {
                throw new ArgumentException(
                    $"mel band {b} (centre {c * sampleRate / nFft:F1} Hz) covers no FFT bin; "
                        + $"use fewer bands than {bands} or a larger n_fft than {nFft}"
                );
            }

            for (var k = 0; k < inputBins; k++)
            {
                w[k] /= sum;
            }

            weights[b] = w;
        }

        return new MelFilterbank(weights, inputBins);
    }

    /// <summary>Mel band energies (bands x frames) from a linear magnitude spectrogram.</summary>
    public Spectrogram Apply(Spectrogram magnitude)
    {
        ArgumentNullException.ThrowIfNull(magnitude);
        if (magnitude.Bins < InputBins)
        {
            throw new ArgumentException($"spectrogram has {magnitude.Bins} bins, the filterbank reads {InputBins}");
        }

        var result = new Spectrogram(Bands, magnitude.Frames);
        for (var b = 0; b < Bands; b++)
        {
            var w = _weights[b];
            for (var t = 0; t < magnitude.Frames; t++)
            {
                double sum = 0;
                for (var k = 0; k < InputBins; k++)
                {
                    sum += w[k] * magnitude[k, t];
                }

                result[b, t] = sum;
            }
        }

        return result;
    }
}
