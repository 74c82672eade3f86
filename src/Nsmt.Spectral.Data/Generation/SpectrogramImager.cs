using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using Nsmt.Audio.Dsp;
using Nsmt.Spectral.Data.Config;

namespace Nsmt.Spectral.Data.Generation;

/// <summary>
/// Turns one audio clip into a VIMH image exactly as NSMT does (spec, "How the images are made"
/// steps 3-8), but computes only the W frames and the bins that end up in the image.
/// Not thread-safe: each worker thread owns one.
/// </summary>
internal sealed class SpectrogramImager
{
    private const double DbFloorAmplitude = 1e-10;
    private const double EnvelopeEpsilon = 1e-10;

    private readonly GeneratorConfig _config;
    private readonly Fft? _fft; // only when the direct DFT is not used: planning it costs ~10 ms of start-up
    private readonly double[] _window;
    private readonly double _scale;
    private readonly MelFilterbank? _mel;
    private readonly int _firstBin;
    private readonly int _binCount;

    // Few bins of a short frame: a direct DFT of just those bins (a small matrix product) beats
    // a full FFT. Null when the FFT is cheaper.
    private const int DirectDftMaxBins = 64;
    private readonly KeptBinsDft? _direct;
    private readonly Complex[] _frame;
    private readonly Complex[] _spectrum;
    private readonly double[] _magnitude; // [bin][frame] for the bins we keep
    private readonly double[] _db; // [row][frame], H x W
    private readonly byte[] _gray; // H x W

    public SpectrogramImager(GeneratorConfig config)
    {
        _config = config;
        var s = config.Spectrogram;
        var options = new StftOptions(s.NFft)
        {
            HopLength = s.HopLength,
            WinLength = s.NWindow,
            Window = s.Window,
            PeriodicWindow = false, // NSMT builds symmetric windows
            Center = false,
            Normalized = true,
        };
        _window = options.PaddedWindow();
        _scale = 1.0 / Math.Sqrt(s.NFft);
        if (s.Type == SpectrogramType.Mel)
        {
            _mel = MelFilterbank.Create(
                config.SampleRate,
                s.NFft,
                config.Height,
                s.MelFreqMin.Value,
                s.MelFreqMaxRatio.Value * config.SampleRate / 2
            );
            _firstBin = 0;
            _binCount = _mel.InputBins;
        }
        else
        {
            _firstBin = 1; // DC is dropped
            _binCount = config.Height;
        }

        if (_binCount <= DirectDftMaxBins)
        {
            _direct = new KeptBinsDft(s.NFft, _firstBin, _binCount, _window);
        }
        else
        {
            _fft = Fft.Get(s.NFft);
        }

        _frame = new Complex[s.NFft];
        _spectrum = new Complex[s.NFft];
        _magnitude = new double[_binCount * config.Width];
        _db = new double[config.Height * config.Width];
        _gray = new byte[config.Height * config.Width];
    }

    /// <summary>Audio samples the image depends on: the first W frames, at most the whole clip.</summary>
    public static int SamplesNeeded(GeneratorConfig config)
    {
        var total = (int)(config.Duration * config.SampleRate);
        var needed = ((config.Width - 1) * config.Spectrogram.HopLength) + config.Spectrogram.NFft;
        return Math.Min(total, needed);
    }

    /// <summary>Kept-bin magnitudes via a full FFT per frame (many bins, where the direct DFT loses).</summary>
    private void FftMagnitudes(ReadOnlySpan<double> audio)
    {
        int w = _config.Width,
            nFft = _config.Spectrogram.NFft,
            hop = _config.Spectrogram.HopLength;
        var fft = _fft!;
        for (var t = 0; t < w; t++)
        {
            var start = t * hop;
            for (var i = 0; i < nFft; i++)
            {
                var at = start + i;
                var x = at < audio.Length ? audio[at] : 0.0; // zero-pad a clip shorter than n_fft
                _frame[i] = new Complex(x * _window[i], 0);
            }

            fft.Forward(_frame, _spectrum);
            for (var k = 0; k < _binCount; k++)
            {
                var z = _spectrum[_firstBin + k];
                _magnitude[(k * w) + t] = Math.Sqrt((z.Real * z.Real) + (z.Imaginary * z.Imaginary)) * _scale;
            }
        }
    }

    /// <summary>Writes the C*H*W image (planar) and returns (spec_min, spec_max).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot: skip tier-0 code, which is many times slower
    public (float SpecMin, float SpecMax) Render(ReadOnlySpan<double> audio, Span<byte> image)
    {
        int h = _config.Height,
            w = _config.Width,
            hop = _config.Spectrogram.HopLength;
        if (_direct is not null)
        {
            _direct.Magnitudes(audio, w, hop, _scale, _magnitude);
        }
        else
        {
            FftMagnitudes(audio);
        }

        for (var row = 0; row < h; row++)
        {
            for (var t = 0; t < w; t++)
            {
                double amplitude;
                if (_mel is null)
                {
                    amplitude = _magnitude[(row * w) + t];
                }
                else
                {
                    amplitude = 0;
                    for (var k = 0; k < _binCount; k++)
                    {
                        amplitude += _mel[row, k] * _magnitude[(k * w) + t];
                    }
                }

                _db[(row * w) + t] = Math.Max(amplitude, DbFloorAmplitude);
            }
        }

        // dB = 20*log10(max(mag, 1e-10)). TensorPrimitives.Log10 is vectorised (this was a large share
        // of the per-sample cost); the scaling, range and quantisation are fused passes.
        TensorPrimitives.Log10(_db, _db);
        (var min, var max) = DecibelQuantizer.ScaleWithRange(_db, 20.0);
        if (_config.Level.Absolute)
        {
            // One dB range for the whole dataset (generate.level: absolute), recorded as the record's spec_min/spec_max
            // so that the record still decodes to dB with its own fields.
            (min, max) = (_config.Level.FloorDb.Value, _config.Level.CeilingDb.Value);
        }

        DecibelQuantizer.Quantize(_db, min, max, _gray);

        if (_config.Envelopes.Any)
        {
            return EnvelopeChannels.Compose(_gray, h, w, _config.Envelopes, image);
        }

        if (_config.Level.Mode == LevelMode.Both)
        {
            // Channel 0 is NSMT's min-max image (the shape, with the record's own range); channel 1 the same dB on the
            // dataset's fixed range (the level), decoded with level_scaling's floor and ceiling.
            _gray.CopyTo(image[.._gray.Length]);
            DecibelQuantizer.Quantize(
                _db,
                _config.Level.FloorDb.Value,
                _config.Level.CeilingDb.Value,
                image.Slice(_gray.Length, _gray.Length)
            );
            return ((float)min, (float)max);
        }

        for (var c = 0; c < _config.Channels; c++)
        {
            _gray.CopyTo(image.Slice(c * _gray.Length, _gray.Length));
        }

        return ((float)min, (float)max);
    }
}

/// <summary>NSMT's envelope channels: [S or normalised S, temporal?, spectral?] scaled jointly to uint8.</summary>
internal static class EnvelopeChannels
{
    private const int TemporalKernel = 5;
    private const int SpectralKernel = 7;
    private const double Epsilon = 1e-10;

    public static (float SpecMin, float SpecMax) Compose(
        byte[] gray,
        int h,
        int w,
        EnvelopeOptions options,
        Span<byte> image
    )
    {
        // temporal: per-frame sum over frequency, 5-tap box with zero padding (when W >= 5)
        var temporal = new double[w];
        for (var t = 0; t < w; t++)
        {
            double sum = 0;
            for (var row = 0; row < h; row++)
            {
                sum += gray[(row * w) + t];
            }

            temporal[t] = sum;
        }

        if (w >= TemporalKernel)
        {
            temporal = BoxSmooth(temporal, TemporalKernel);
        }

        // spectral: per-bin mean over time, 7-tap box with zero padding (when H >= 7)
        var spectral = new double[h];
        for (var row = 0; row < h; row++)
        {
            double sum = 0;
            for (var t = 0; t < w; t++)
            {
                sum += gray[(row * w) + t];
            }

            spectral[row] = sum / w;
        }

        if (h >= SpectralKernel)
        {
            spectral = BoxSmooth(spectral, SpectralKernel);
        }

        var plane = h * w;
        var channels = 1 + (options.Temporal ? 1 : 0) + (options.Spectral ? 1 : 0);
        var stack = new double[channels * plane];
        for (var row = 0; row < h; row++)
        {
            for (var t = 0; t < w; t++)
            {
                var i = (row * w) + t;
                double s = gray[i];
                if (options.Normalize)
                {
                    // NSMT divides by each envelope that exists, each with its own epsilon.
                    s = s / (temporal[t] + Epsilon) / (spectral[row] + Epsilon);
                }

                stack[i] = s;
                var c = 1;
                if (options.Temporal)
                {
                    stack[(c++ * plane) + i] = temporal[t];
                }

                if (options.Spectral)
                {
                    stack[(c * plane) + i] = spectral[row];
                }
            }
        }

        double min = stack.Min(),
            max = stack.Max();
        for (var i = 0; i < stack.Length; i++)
        {
            // astype(uint8) truncates; NSMT fills 128 when the stack is flat.
            image[i] =
                max > min ? (byte)Math.Clamp(Math.Truncate((stack[i] - min) / (max - min) * 255.0), 0, 255) : (byte)128;
        }

        return ((float)min, (float)max);
    }

    /// <summary>NSMT's envelope smoothing: a box of <paramref name="kernel"/> samples, zero-padded at both ends, divided by the kernel length.</summary>
    internal static double[] BoxSmooth(double[] x, int kernel)
    {
        var half = kernel / 2;
        var y = new double[x.Length];
        for (var i = 0; i < x.Length; i++)
        {
            double sum = 0;
            for (var j = i - half; j <= i + half; j++)
            {
                if (j >= 0 && j < x.Length)
                {
                    sum += x[j];
                }
            }

            y[i] = sum / kernel;
        }

        return y;
    }
}
