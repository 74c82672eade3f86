using System.Numerics;

namespace Nsmt.Audio.Dsp;

public enum StftPadMode
{
    /// <summary>Mirror without repeating the edge sample (torch's default for center=true).</summary>
    Reflect,
    Constant,
}

/// <summary>
/// Options with torch.stft's meaning and defaults: hop n_fft/4, win_length n_fft, center with
/// reflect padding, not normalized, one-sided. <see cref="Window"/> defaults to rectangular, which
/// is what torch uses when no window is passed.
/// </summary>
public sealed record StftOptions
{
    public StftOptions(int nFft)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nFft, 1);
        NFft = nFft;
    }

    public int NFft { get; }

    public int? HopLength { get; init; }

    public int? WinLength { get; init; }

    public WindowType Window { get; init; } = WindowType.Rectangular;

    /// <summary>Periodic (torch's default window construction) or symmetric windows.</summary>
    public bool PeriodicWindow { get; init; } = true;

    public bool Center { get; init; } = true;

    public StftPadMode PadMode { get; init; } = StftPadMode.Reflect;

    /// <summary>Scale by 1/sqrt(n_fft), as torch's normalized=True.</summary>
    public bool Normalized { get; init; }

    public bool OneSided { get; init; } = true;

    public int Hop => HopLength ?? Math.Max(NFft / 4, 1);

    public int Win => WinLength ?? NFft;

    public int Bins => OneSided ? (NFft / 2) + 1 : NFft;

    internal void Validate()
    {
        if (Hop < 1)
        {
            throw new ArgumentException($"hop_length must be positive, got {Hop}");
        }

        if (Win < 1 || Win > NFft)
        {
            throw new ArgumentException($"win_length must be in [1, n_fft={NFft}], got {Win}");
        }
    }

    /// <summary>The analysis window, zero-padded centrally to n_fft (as torch does).</summary>
    public double[] PaddedWindow()
    {
        var w = Dsp.Window.Create(Window, Win, PeriodicWindow);
        var padded = new double[NFft];
        var left = (NFft - Win) / 2;
        w.CopyTo(padded, left);
        return padded;
    }
}

/// <summary>A complex spectrogram, frequency-major: element (bin, frame) at [bin * Frames + frame].</summary>
public sealed class ComplexSpectrogram
{
    public ComplexSpectrogram(int bins, int frames)
    {
        Bins = bins;
        Frames = frames;
        Values = new Complex[bins * frames];
    }

    public int Bins { get; }

    public int Frames { get; }

    public Complex[] Values { get; }

    public Complex this[int bin, int frame]
    {
        get => Values[(bin * Frames) + frame];
        set => Values[(bin * Frames) + frame] = value;
    }

    public Spectrogram Magnitude()
    {
        var result = new Spectrogram(Bins, Frames);
        for (var i = 0; i < Values.Length; i++)
        {
            result.Values[i] = Values[i].Magnitude;
        }

        return result;
    }
}

/// <summary>A real spectrogram (magnitudes, dB, mel bands), frequency-major like <see cref="ComplexSpectrogram"/>.</summary>
public sealed class Spectrogram
{
    public Spectrogram(int bins, int frames)
    {
        Bins = bins;
        Frames = frames;
        Values = new double[bins * frames];
    }

    public int Bins { get; }

    public int Frames { get; }

    public double[] Values { get; }

    public double this[int bin, int frame]
    {
        get => Values[(bin * Frames) + frame];
        set => Values[(bin * Frames) + frame] = value;
    }

    /// <summary>20*log10(max(x, floor)): amplitude to dB with a floor that keeps silence finite.</summary>
    public Spectrogram ToDecibels(double floor = 1e-10)
    {
        var result = new Spectrogram(Bins, Frames);
        for (var i = 0; i < Values.Length; i++)
        {
            result.Values[i] = 20.0 * Math.Log10(Math.Max(Values[i], floor));
        }

        return result;
    }
}

/// <summary>Short-time Fourier transform and its inverse with torch.stft / torch.istft semantics.</summary>
public static class Stft
{
    /// <summary>Number of frames torch.stft produces for a signal of this length.</summary>
    public static int FrameCount(int signalLength, StftOptions options)
    {
        var padded = options.Center ? signalLength + (2 * (options.NFft / 2)) : signalLength;
        return padded < options.NFft ? 0 : 1 + ((padded - options.NFft) / options.Hop);
    }

    public static ComplexSpectrogram Forward(
        ReadOnlySpan<float> signal,
        StftOptions options,
        int maxFrames = int.MaxValue
    )
    {
        var x = new double[signal.Length];
        for (var i = 0; i < x.Length; i++)
        {
            x[i] = signal[i];
        }

        return Forward(x, options, maxFrames);
    }

    /// <param name="maxFrames">Compute only the first frames (the rest are identical to a full run, just not computed).</param>
    public static ComplexSpectrogram Forward(
        ReadOnlySpan<double> signal,
        StftOptions options,
        int maxFrames = int.MaxValue
    )
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var nFft = options.NFft;
        var padded = options.Center ? Pad(signal, nFft / 2, options.PadMode) : signal.ToArray();
        if (padded.Length < nFft)
        {
            throw new ArgumentException(
                $"signal of {signal.Length} samples is shorter than n_fft={nFft}"
                    + (options.Center ? " after padding" : "")
            );
        }

        var frames = Math.Min(FrameCount(signal.Length, options), maxFrames);
        var bins = options.Bins;
        var result = new ComplexSpectrogram(bins, frames);
        var window = options.PaddedWindow();
        var scale = options.Normalized ? 1.0 / Math.Sqrt(nFft) : 1.0;
        var fft = Fft.Get(nFft);
        var frame = new Complex[nFft];
        var spectrum = new Complex[nFft];
        for (var t = 0; t < frames; t++)
        {
            var start = t * options.Hop;
            for (var i = 0; i < nFft; i++)
            {
                frame[i] = new Complex(padded[start + i] * window[i], 0);
            }

            fft.Forward(frame, spectrum);
            for (var k = 0; k < bins; k++)
            {
                result[k, t] = spectrum[k] * scale;
            }
        }

        return result;
    }

    /// <summary>
    /// torch.istft: windowed overlap-add divided by the summed squared window. <paramref name="length"/>
    /// trims or zero-pads the output like torch's length argument.
    /// </summary>
    public static double[] Inverse(ComplexSpectrogram spectrogram, StftOptions options, int? length = null)
    {
        ArgumentNullException.ThrowIfNull(spectrogram);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var nFft = options.NFft;
        if (spectrogram.Bins != options.Bins)
        {
            throw new ArgumentException($"spectrogram has {spectrogram.Bins} bins, options expect {options.Bins}");
        }

        var frames = spectrogram.Frames;
        var hop = options.Hop;
        var window = options.PaddedWindow();
        var expectedLength = nFft + (hop * (frames - 1));
        var signal = new double[expectedLength];
        var envelope = new double[expectedLength];
        var scale = (options.Normalized ? Math.Sqrt(nFft) : 1.0) / nFft;
        var fft = Fft.Get(nFft);
        var spectrum = new Complex[nFft];
        var time = new Complex[nFft];
        for (var t = 0; t < frames; t++)
        {
            if (options.OneSided)
            {
                for (var k = 0; k < options.Bins; k++)
                {
                    spectrum[k] = spectrogram[k, t];
                }

                // Hermitian symmetry rebuilds the negative frequencies, as irfft does.
                for (var k = options.Bins; k < nFft; k++)
                {
                    spectrum[k] = Complex.Conjugate(spectrogram[nFft - k, t]);
                }
            }
            else
            {
                for (var k = 0; k < nFft; k++)
                {
                    spectrum[k] = spectrogram[k, t];
                }
            }

            fft.Inverse(spectrum, time);
            var start = t * hop;
            for (var i = 0; i < nFft; i++)
            {
                signal[start + i] += time[i].Real * scale * window[i];
                envelope[start + i] += window[i] * window[i];
            }
        }

        var begin = options.Center ? nFft / 2 : 0;
        var end =
            length.HasValue ? begin + length.Value
            : options.Center ? expectedLength - (nFft / 2)
            : expectedLength;
        var output = new double[Math.Max(end - begin, 0)];
        for (var i = begin; i < Math.Min(end, expectedLength); i++)
        {
            if (envelope[i] < 1e-11)
            {
                throw new ArgumentException(
                    $"window overlap-add is zero at sample {i - begin} (the NOLA condition fails for this window and hop)"
                );
            }

            output[i - begin] = signal[i] / envelope[i];
        }

        return output;
    }

    private static double[] Pad(ReadOnlySpan<double> x, int pad, StftPadMode mode)
    {
        var result = new double[x.Length + (2 * pad)];
        x.CopyTo(result.AsSpan(pad));
        if (mode == StftPadMode.Constant || pad == 0)
        {
            return result;
        }

        if (pad >= x.Length)
        {
            throw new ArgumentException(
                $"reflect padding of {pad} needs a signal longer than {pad} samples, got {x.Length}"
            );
        }

        for (var i = 1; i <= pad; i++)
        {
            result[pad - i] = x[i];
            result[pad + x.Length - 1 + i] = x[x.Length - 1 - i];
        }

        return result;
    }
}
