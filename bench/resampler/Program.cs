// Compares three resamplers on the same signals: ours (Nsmt.Audio.Dsp.Resampler, polyphase Kaiser sinc),
// NAudio's WdlResamplingSampleProvider, and sox's `rate` effect (default and -v), the reference.
// Quality: passband gain ripple (tones 20 Hz .. 20 kHz), worst spurious level beside an in-band tone
// (aliasing/imaging and filter error), and stopband attenuation (tones above the output Nyquist frequency,
// which must vanish). Speed: ours and NAudio in-process on 60 s of mono audio (median of alternating runs);
// sox as a process on the same WAV (start-up and file I/O included, so an upper bound).
// Usage: ResamplerBench [repeats]   (prints a Markdown report)
using System.Diagnostics;
using System.Globalization;
using NAudio.Wave;
using Nsmt.Audio;
using Nsmt.Audio.Dsp;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var repeats = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
var scratch = Directory.CreateTempSubdirectory("nsmt-resampler-").FullName;
try
{
    var resamplers = new IResampler[]
    {
        new Ours(),
        new NAudioWdl(),
        new Sox("sox (default: -h)", []),
        new Sox("sox -v", ["-v"]),
    };
    Console.WriteLine(
        "| conversion | resampler | passband ripple 20 Hz-20 kHz (dB) | gain at 20 kHz (dB) | worst spurious beside an in-band tone (dB) | stopband attenuation (dB) |"
    );
    Console.WriteLine("|---|---|---|---|---|---|");
    foreach ((var from, var to) in new[] { (48000, 44100), (44100, 48000), (96000, 48000) })
    {
        foreach (var resampler in resamplers)
        {
            var q = Measure(resampler, from, to, scratch);
            var stopband =
                double.IsNaN(q.StopbandDb) ? "n/a (upsampling)"
                : double.IsInfinity(q.StopbandDb) ? "all zeros"
                : $"{q.StopbandDb:F1}";
            Console.WriteLine(
                $"| {from / 1000.0:0.#}k -> {to / 1000.0:0.#}k | {resampler.Name} | {q.RippleDb:F4} | {q.GainAt20kDb:F3} | {q.WorstSpuriousDb:F1} | {stopband} |"
            );
        }
    }

    Console.WriteLine();
    Console.WriteLine($"Speed, 60 s mono 48k -> 44.1k, median of {repeats} alternating runs, 1 thread:");
    Console.WriteLine();
    Console.WriteLine("| resampler | seconds | x real time |");
    Console.WriteLine("|---|---|---|");
    var minute = Tone(48000, 997, 60 * 48000, 0.5);
    var times = resamplers.ToDictionary(r => r.Name, _ => new List<double>());
    for (var r = 0; r < repeats; r++)
    {
        foreach (var resampler in resamplers)
        {
            var clock = Stopwatch.StartNew();
            resampler.Process(minute, 48000, 44100, scratch);
            times[resampler.Name].Add(clock.Elapsed.TotalSeconds);
        }
    }

    foreach ((var name, var t) in times)
    {
        t.Sort();
        var median = t[t.Count / 2];
        Console.WriteLine($"| {name} | {median:F3} | {60 / median:F0} |");
    }
}
finally
{
    Directory.Delete(scratch, recursive: true);
}

static Quality Measure(IResampler resampler, int from, int to, string scratch)
{
    const double seconds = 0.5;
    var n = (int)(seconds * from);
    double outNyquist = to / 2.0,
        inNyquist = from / 2.0;
    double ripMin = double.MaxValue,
        ripMax = double.MinValue,
        worstSpurious = double.MinValue,
        gain20k = 0;
    // Log-spaced tones over the audio band; 20 kHz is where a 44.1k/48k path must still be flat.
    for (var k = 0; k <= 40; k++)
    {
        var f = 20 * Math.Pow(1000, k / 40.0);
        var y = resampler.Process(Tone(from, f, n, 0.5), from, to, scratch);
        (var amplitude, var residual) = Fit(y, to, f);
        var gainDb = 20 * Math.Log10(amplitude / 0.5);
        ripMin = Math.Min(ripMin, gainDb);
        ripMax = Math.Max(ripMax, gainDb);
        worstSpurious = Math.Max(worstSpurious, 20 * Math.Log10(residual / amplitude));
        if (k == 40)
        {
            gain20k = gainDb;
        }
    }

    // Tones between the output Nyquist frequency (plus 2% for the transition band) and the input Nyquist
    // frequency must not come through (downsampling). When upsampling, the input holds no such tones; the
    // images of in-band tones then count as spurious above.
    var stopband = double.NaN;
    if (from > to)
    {
        var worst = double.NegativeInfinity;
        for (var k = 0; k <= 20; k++)
        {
            var f = (outNyquist * 1.02) + ((inNyquist * 0.98 - (outNyquist * 1.02)) * k / 20.0);
            var y = resampler.Process(Tone(from, f, n, 0.5), from, to, scratch);
            var rms = Rms(Centre(y));
            worst = Math.Max(worst, rms == 0 ? double.NegativeInfinity : 20 * Math.Log10((rms * Math.Sqrt(2)) / 0.5));
        }

        stopband = -worst;
    }

    return new Quality(ripMax - ripMin, gain20k, worstSpurious, stopband);
}

static float[] Tone(int rate, double f, int n, double amplitude)
{
    var x = new float[n];
    for (var i = 0; i < n; i++)
    {
        x[i] = (float)(amplitude * Math.Sin(2 * Math.PI * f * i / rate));
    }

    return x;
}

// The middle half: away from every resampler's start-up and tail transients (and WDL's delay).
static ReadOnlySpan<float> Centre(float[] y) => y.AsSpan(y.Length / 4, y.Length / 2);

static double Rms(ReadOnlySpan<float> y)
{
    double s = 0;
    foreach (var v in y)
    {
        s += v * (double)v;
    }

    return Math.Sqrt(s / Math.Max(1, y.Length));
}

// Least-squares fit of a*sin + b*cos + c at the known frequency; returns the amplitude and the RMS of what
// the fit leaves (aliases, images, filter noise), as a peak-equivalent level.
static (double Amplitude, double Residual) Fit(float[] y, int rate, double f)
{
    var c = Centre(y);
    var offset = y.Length / 4;
    var ata = new double[3, 3];
    var atb = new double[3];
    for (var i = 0; i < c.Length; i++)
    {
        var phase = 2 * Math.PI * f * (offset + i) / rate;
        double[] row = [Math.Sin(phase), Math.Cos(phase), 1];
        for (var r = 0; r < 3; r++)
        {
            atb[r] += row[r] * c[i];
            for (var q = 0; q < 3; q++)
            {
                ata[r, q] += row[r] * row[q];
            }
        }
    }

    var coef = Solve3(ata, atb);
    double sq = 0;
    for (var i = 0; i < c.Length; i++)
    {
        var phase = 2 * Math.PI * f * (offset + i) / rate;
        var e = c[i] - ((coef[0] * Math.Sin(phase)) + (coef[1] * Math.Cos(phase)) + coef[2]);
        sq += e * e;
    }

    return (Math.Sqrt((coef[0] * coef[0]) + (coef[1] * coef[1])), Math.Sqrt(2 * sq / c.Length));
}

static double[] Solve3(double[,] a, double[] b)
{
    var m = (double[,])a.Clone();
    var v = (double[])b.Clone();
    for (var col = 0; col < 3; col++)
    {
        var pivot = col;
        for (var r = col + 1; r < 3; r++)
        {
            if (Math.Abs(m[r, col]) > Math.Abs(m[pivot, col]))
            {
                pivot = r;
            }
        }

        for (var q = 0; q < 3; q++)
        {
            (m[col, q], m[pivot, q]) = (m[pivot, q], m[col, q]);
        }

        (v[col], v[pivot]) = (v[pivot], v[col]);
        for (var r = 0; r < 3; r++)
        {
            if (r == col)
            {
                continue;
            }

            var factor = m[r, col] / m[col, col];
            for (var q = 0; q < 3; q++)
            {
                m[r, q] -= factor * m[col, q];
            }

            v[r] -= factor * v[col];
        }
    }

    return [v[0] / m[0, 0], v[1] / m[1, 1], v[2] / m[2, 2]];
}

internal sealed record Quality(double RippleDb, double GainAt20kDb, double WorstSpuriousDb, double StopbandDb);

internal interface IResampler
{
    string Name { get; }

    float[] Process(float[] input, int from, int to, string scratch);
}

internal sealed class Ours : IResampler
{
    public string Name => "ours (Kaiser sinc, 100 dB)";

    public float[] Process(float[] input, int from, int to, string scratch) => new Resampler(from, to).Process(input);
}

internal sealed class NAudioWdl : IResampler
{
    public string Name => "NAudio WdlResamplingSampleProvider";

    public float[] Process(float[] input, int from, int to, string scratch)
    {
        var resampler = new NAudio.Wave.SampleProviders.WdlResamplingSampleProvider(new ArraySource(input, from), to);
        var output = new List<float>((int)((long)input.Length * to / from) + 1024);
        var buffer = new float[8192];
        int n;
        while ((n = resampler.Read(buffer.AsSpan())) > 0)
        {
            output.AddRange(buffer.AsSpan(0, n));
        }

        return [.. output];
    }

    private sealed class ArraySource(float[] samples, int rate) : ISampleProvider
    {
        private int _position;

        public WaveFormat WaveFormat { get; } = WaveFormat.CreateIeeeFloatWaveFormat(rate, 1);

        public int Read(Span<float> buffer)
        {
            var n = Math.Min(buffer.Length, samples.Length - _position);
            samples.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }
    }
}

internal sealed class Sox(string name, string[] quality) : IResampler
{
    public string Name => name;

    public float[] Process(float[] input, int from, int to, string scratch)
    {
        var source = Path.Combine(scratch, "in.wav");
        var target = Path.Combine(scratch, "out.wav");
        WavFile.Write(source, AudioBuffer.Mono(from, input), WavSampleFormat.Float32);
        var start = new ProcessStartInfo("sox") { RedirectStandardError = true };
        foreach (
            var a in (string[])
                [
                    source,
                    "-e",
                    "floating-point",
                    "-b",
                    "32",
                    target,
                    "rate",
                    .. quality,
                    to.ToString(CultureInfo.InvariantCulture),
                ]
        )
        {
            start.ArgumentList.Add(a);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"sox failed: {errors}");
        }

        return WavFile.Read(target).Channels[0];
    }
}
