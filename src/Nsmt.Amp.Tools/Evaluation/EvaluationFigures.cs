using System.Numerics;
using Nsmt.Audio.Dsp;
using Nsmt.Plots;

namespace Nsmt.Amp.Evaluation;

/// <summary>The evaluation's SVG figures: waveforms, spectrograms, sine-sweep response.</summary>
public static class EvaluationFigures
{
    private const int MaxSpectrogramColumns = 480;
    private const int MaxSpectrogramRows = 192;

    /// <summary>
    /// Three panels: target and prediction over the whole range; a zoom of
    /// <paramref name="zoomSeconds"/> where the residual is largest; the residual over the whole range.
    /// </summary>
    public static Figure Waveforms(
        ReadOnlySpan<float> prediction,
        ReadOnlySpan<float> target,
        int sampleRate,
        double zoomSeconds = 0.03,
        string? title = null
    )
    {
        var n = target.Length;
        var residual = new float[n];
        for (var i = 0; i < n; i++)
        {
            residual[i] = target[i] - prediction[i];
        }

        var dt = 1.0 / sampleRate;
        var overview = new LineChart
        {
            Title = "Target (reamp) and prediction",
            XLabel = "time (s)",
            YLabel = "amplitude",
        }
            .Add("target", target, 0, dt, Palette.At(0), 1)
            .Add("prediction", prediction, 0, dt, Palette.At(1), 1);

        var zoom = Math.Clamp((int)(zoomSeconds * sampleRate), 16, Math.Max(16, n));
        var zoomStart = LargestEnergyWindow(residual, Math.Min(zoom, n));
        var zoomLength = Math.Min(zoom, n - zoomStart);
        var zoomed = new LineChart
        {
            Title =
                $"Zoom where the residual is largest ({zoomStart * dt:0.000} s to {(zoomStart + zoomLength) * dt:0.000} s)",
            XLabel = "time (s)",
            YLabel = "amplitude",
        }
            .Add("target", target.Slice(zoomStart, zoomLength), zoomStart * dt, dt, Palette.At(0), 1.5)
            .Add("prediction", prediction.Slice(zoomStart, zoomLength), zoomStart * dt, dt, Palette.At(1), 1.5, "5,3");

        var residualChart = new LineChart
        {
            Title = "Residual (target - prediction)",
            XLabel = "time (s)",
            YLabel = "amplitude",
            ShowLegend = false,
        }.Add("residual", residual, 0, dt, Palette.At(3), 1);
        return new Figure(1, 900, 260) { Title = title }
            .Add(overview)
            .Add(zoomed)
            .Add(residualChart);
    }

    /// <summary>Spectrograms of target, prediction and residual on one dB colour scale (the target's peak down <paramref name="dynamicRangeDb"/>).</summary>
    public static Figure Spectrograms(
        ReadOnlySpan<float> prediction,
        ReadOnlySpan<float> target,
        int sampleRate,
        int fftSize = 1024,
        double dynamicRangeDb = 90,
        string? title = null
    )
    {
        var residual = new float[target.Length];
        for (var i = 0; i < residual.Length; i++)
        {
            residual[i] = target[i] - prediction[i];
        }

        var t = SpectrogramDb(target, fftSize);
        var p = SpectrogramDb(prediction, fftSize);
        var r = SpectrogramDb(residual, fftSize);
        var top = t.Values.Where(double.IsFinite).DefaultIfEmpty(0).Max();
        var seconds = (double)target.Length / sampleRate;
        Heatmap Panel(Grid grid, string name) =>
            new(grid.Values, grid.Rows, grid.Columns)
            {
                Title = name,
                XLabel = "time (s)",
                YLabel = "frequency (Hz)",
                XRange = (0, seconds),
                YRange = (0, sampleRate / 2.0),
                RowZeroAtBottom = true,
                ColorMin = top - dynamicRangeDb,
                ColorMax = top,
                ColorBarLabel = "dB",
                Colormap = Colormap.Magma,
                Rendering = HeatmapRendering.Png,
            };
        return new Figure(1, 900, 250) { Title = title }
            .Add(Panel(t, "Target (reamp)"))
            .Add(Panel(p, "Prediction"))
            .Add(Panel(r, "Residual (target - prediction)"));
    }

    /// <summary>
    /// Magnitude response to a sine sweep: |FFT(response)| / |FFT(sweep)| in 1/6-octave bands,
    /// for the reference and the model, and their difference.
    /// </summary>
    public static Figure SweepResponse(IReadOnlyList<SweepComparison> sweeps, int sampleRate, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(sweeps);
        var figure = new Figure(Math.Min(2, Math.Max(1, sweeps.Count)), 560, 330) { Title = title };
        foreach (var sweep in sweeps)
        {
            var (frequencies, reference) = TransferDb(sweep.Input, sweep.Reference, sampleRate);
            var (_, model) = TransferDb(sweep.Input, sweep.Model, sampleRate);
            var difference = model.Zip(reference, (m, r) => m - r).ToArray();
            figure.Add(
                new LineChart
                {
                    Title = $"Sweep at {sweep.Label}: magnitude response",
                    XLabel = "frequency (Hz)",
                    YLabel = "dB re input",
                    XScale = AxisScale.Log,
                    XMin = 20,
                    XMax = 20000,
                }
                    .Add("reference (reamp)", frequencies, reference, Palette.At(0), 1.8)
                    .Add("model", frequencies, model, Palette.At(1), 1.5, "6,3")
                    .Add("model - reference", frequencies, difference, Palette.At(2), 1.2)
            );
        }

        return figure;
    }

    /// <summary>1/6-octave band levels of |Y|^2 / |X|^2 from 20 Hz to 20 kHz, dB (NaN where the input has no energy).</summary>
    public static (double[] Frequencies, double[] Db) TransferDb(
        ReadOnlySpan<float> input,
        ReadOnlySpan<float> response,
        int sampleRate,
        int bandsPerOctave = 6
    )
    {
        var n = Math.Min(input.Length, response.Length);
        var size = 1;
        while (size < n)
        {
            size <<= 1;
        }

        var x = Spectrum(input[..n], size);
        var y = Spectrum(response[..n], size);
        double low = 20,
            high = Math.Min(20000, 0.49 * sampleRate);
        var bands = (int)Math.Floor(Math.Log2(high / low) * bandsPerOctave) + 1;
        var frequencies = new double[bands];
        var db = new double[bands];
        var halfBand = Math.Pow(2, 0.5 / bandsPerOctave);
        for (var b = 0; b < bands; b++)
        {
            var centre = low * Math.Pow(2, (double)b / bandsPerOctave);
            var first = (int)Math.Ceiling(centre / halfBand * size / sampleRate);
            var last = (int)Math.Floor(centre * halfBand * size / sampleRate);
            double px = 0,
                py = 0;
            for (var k = Math.Max(1, first); k <= Math.Min(size / 2, Math.Max(first, last)); k++)
            {
                px += x[k];
                py += y[k];
            }

            frequencies[b] = centre;
            db[b] = px > 0 ? 10 * Math.Log10(Math.Max(py, 1e-30) / px) : double.NaN;
        }

        return (frequencies, db);
    }

    private static double[] Spectrum(ReadOnlySpan<float> signal, int size)
    {
        var buffer = new Complex[size];
        for (var i = 0; i < signal.Length; i++)
        {
            buffer[i] = signal[i];
        }

        var spectrum = new Complex[size];
        Fft.Get(size).Forward(buffer, spectrum);
        var power = new double[(size / 2) + 1];
        for (var k = 0; k < power.Length; k++)
        {
            power[k] = (spectrum[k].Real * spectrum[k].Real) + (spectrum[k].Imaginary * spectrum[k].Imaginary);
        }

        return power;
    }

    private sealed record Grid(double[] Values, int Rows, int Columns);

    /// <summary>Magnitude spectrogram in dB, pooled (max power) down to at most 192 rows x 480 columns.</summary>
    private static Grid SpectrogramDb(ReadOnlySpan<float> signal, int fftSize)
    {
        var hop = Math.Max(fftSize / 8, (int)Math.Ceiling(signal.Length / (double)MaxSpectrogramColumns));
        var options = new StftOptions(fftSize) { HopLength = hop, Window = WindowType.Hann };
        if (signal.Length <= fftSize / 2)
        {
            return new Grid([double.NaN], 1, 1);
        }

        var spectrum = Stft.Forward(signal, options);
        int bins = spectrum.Bins,
            frames = spectrum.Frames;
        var rowGroup = (int)Math.Ceiling(bins / (double)MaxSpectrogramRows);
        var columnGroup = (int)Math.Ceiling(frames / (double)MaxSpectrogramColumns);
        var rows = (bins + rowGroup - 1) / rowGroup;
        var columns = (frames + columnGroup - 1) / columnGroup;
        var values = new double[rows * columns];
        // Hann's coherent gain is 1/2: scale so a full-scale sine reads about 0 dB.
        var scale = 2.0 / fftSize;
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                double best = 0;
                for (var b = r * rowGroup; b < Math.Min(bins, (r + 1) * rowGroup); b++)
                {
                    for (var f = c * columnGroup; f < Math.Min(frames, (c + 1) * columnGroup); f++)
                    {
                        var z = spectrum[b, f];
                        best = Math.Max(best, (z.Real * z.Real) + (z.Imaginary * z.Imaginary));
                    }
                }

                values[(r * columns) + c] = 10 * Math.Log10(Math.Max(best * scale * scale, 1e-20));
            }
        }

        return new Grid(values, rows, columns);
    }

    private static int LargestEnergyWindow(ReadOnlySpan<float> x, int window)
    {
        if (x.Length <= window)
        {
            return 0;
        }

        double energy = 0;
        for (var i = 0; i < window; i++)
        {
            energy += (double)x[i] * x[i];
        }

        var best = energy;
        var bestStart = 0;
        for (var start = 1; start + window <= x.Length; start++)
        {
            energy += ((double)x[start + window - 1] * x[start + window - 1]) - ((double)x[start - 1] * x[start - 1]);
            if (energy > best)
            {
                (best, bestStart) = (energy, start);
            }
        }

        return bestStart;
    }
}

/// <summary>A sine sweep, the reference system's response to it and the model's.</summary>
public sealed record SweepComparison(string Label, float[] Input, float[] Reference, float[] Model);
