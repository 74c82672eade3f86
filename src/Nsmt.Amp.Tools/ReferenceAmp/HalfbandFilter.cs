using Nsmt.Audio.Dsp;

namespace Nsmt.Amp.ReferenceAmp;

/// <summary>
/// A linear-phase half-band low-pass (Kaiser-windowed sinc, cut-off at a quarter of the higher
/// rate) used causally for 2x up- and down-sampling. Every other tap is zero except the centre,
/// which the loops skip. Delay: (taps-1)/2 samples at the higher rate.
/// </summary>
internal sealed class HalfbandFilter
{
    private readonly double[] _taps;

    /// <param name="tapCount">Odd, of the form 4k+3, so that the outermost taps are not zero.</param>
    /// <param name="kaiserBeta">Window shape: 7.86 gives about 80 dB stop-band attenuation.</param>
    public HalfbandFilter(int tapCount, double kaiserBeta = 7.86)
    {
        if (tapCount < 3 || tapCount % 4 != 3)
        {
            throw new ArgumentOutOfRangeException(nameof(tapCount), tapCount, "a half-band filter needs 4k+3 taps");
        }

        _taps = new double[tapCount];
        var centre = (tapCount - 1) / 2;
        var i0Beta = Window.BesselI0(kaiserBeta);
        double sum = 0;
        for (var n = 0; n < tapCount; n++)
        {
            var offset = n - centre;
            var sinc = offset == 0 ? 1.0 : Math.Sin(Math.PI * offset / 2.0) / (Math.PI * offset / 2.0);
            var r = (double)offset / centre;
            var window = Window.BesselI0(kaiserBeta * Math.Sqrt(Math.Max(0, 1 - (r * r)))) / i0Beta;
            _taps[n] = 0.5 * sinc * window;
            sum += _taps[n];
        }

        for (var n = 0; n < tapCount; n++)
        {
            _taps[n] /= sum; // unity gain at DC
        }
    }

    /// <summary>Delay in samples of the higher rate.</summary>
    public double Delay => (_taps.Length - 1) / 2.0;

    /// <summary>Zero-stuffs to twice the rate and filters (gain 2 keeps the level): y[n] = 2 sum_j h[j] z[n-j].</summary>
    public double[] Upsample(ReadOnlySpan<double> input)
    {
        var output = new double[2 * input.Length];
        for (var n = 0; n < output.Length; n++)
        {
            double sum = 0;
            // Only taps j with n-j even meet a non-zero (original) sample x[(n-j)/2].
            for (var j = n & 1; j < _taps.Length && j <= n; j += 2)
            {
                sum += _taps[j] * input[(n - j) >> 1];
            }

            output[n] = 2 * sum;
        }

        return output;
    }

    /// <summary>Filters and keeps every second sample: y[m] = sum_j h[j] u[2m-j].</summary>
    public double[] Downsample(ReadOnlySpan<double> input)
    {
        var output = new double[input.Length / 2];
        var centre = (_taps.Length - 1) / 2;
        for (var m = 0; m < output.Length; m++)
        {
            var n = 2 * m;
            double sum = 0;
            for (var j = 0; j < _taps.Length && j <= n; j++)
            {
                // Zero taps (even distance from the centre, except the centre) contribute nothing.
                if (j != centre && ((j - centre) & 1) == 0)
                {
                    continue;
                }

                sum += _taps[j] * input[n - j];
            }

            output[m] = sum;
        }

        return output;
    }
}
