// Compares three resamplers on the same signals: ours (Nsmt.Audio.Dsp.Resampler, polyphase Kaiser sinc),
// NAudio's WdlResamplingSampleProvider, and sox's `rate` effect (default and -v), the reference.
// Quality: passband gain ripple (tones 20 Hz .. 20 kHz), worst spurious level beside an in-band tone
// (aliasing/imaging and filter error), and stopband attenuation (tones above the output Nyquist frequency,
// which must vanish). Speed: ours and NAudio in-process on 60 s of mono audio (median of alternating runs);
// sox as a process on the same WAV (start-up and file I/O included, so an upper bound).
// Usage: ResamplerBench [repeats]   (prints a Markdown report)
using System.Diagnostics;
using System.Globalization;
using Nsmt.Audio;
using Nsmt.Audio.Dsp;
using NAudio.Wave;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
int repeats = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
string scratch = Directory.CreateTempSubdirectory("nsmt-resampler-").FullName;
try
{
    var resamplers = new IResampler[] { new Ours(), new NAudioWdl(), new Sox("sox (default: -h)", []), new Sox("sox -v", ["-v"]) };
    Console.WriteLine("| conversion | resampler | passband ripple 20 Hz-20 kHz (dB) | gain at 20 kHz (dB) | worst spurious beside an in-band tone (dB) | stopband attenuation (dB) |");
    Console.WriteLine("|---|---|---|---|---|---|");
    foreach ((int from, int to) in new[] { (48000, 44100), (44100, 48000), (96000, 48000) })
    {
        foreach (IResampler resampler in resamplers)
        {
            Quality q = Measure(resampler, from, to, scratch);
            string stopband = double.IsNaN(q.StopbandDb) ? "n/a (upsampling)"
                : double.IsInfinity(q.StopbandDb) ? "all zeros" : $"{q.StopbandDb:F1}";
            Console.WriteLine($"| {from / 1000.0:0.#}k -> {to / 1000.0:0.#}k | {resampler.Name} | {q.RippleDb:F4} | {q.GainAt20kDb:F3} | {q.WorstSpuriousDb:F1} | {stopband} |");
        }
    }

    Console.WriteLine();
    Console.WriteLine($"Speed, 60 s mono 48k -> 44.1k, median of {repeats} alternating runs, 1 thread:");
    Console.WriteLine();
    Console.WriteLine("| resampler | seconds | x real time |");
    Console.WriteLine("|---|---|---|");
    float[] minute = Tone(48000, 997, 60 * 48000, 0.5);
    var times = resamplers.ToDictionary(r => r.Name, _ => new List<double>());
    for (int r = 0; r < repeats; r++)
    {
        foreach (IResampler resampler in resamplers)
        {
            var clock = Stopwatch.StartNew();
            resampler.Process(minute, 48000, 44100, scratch);
            times[resampler.Name].Add(clock.Elapsed.TotalSeconds);
        }
    }

    foreach ((string name, List<double> t) in times)
    {
        t.Sort();
        double median = t[t.Count / 2];
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
    int n = (int)(seconds * from);
    double outNyquist = to / 2.0, inNyquist = from / 2.0;
    double ripMin = double.MaxValue, ripMax = double.MinValue, worstSpurious = double.MinValue, gain20k = 0;
    // Log-spaced tones over the audio band; 20 kHz is where a 44.1k/48k path must still be flat.
    for (int k = 0; k <= 40; k++)
    {
        double f = 20 * Math.Pow(1000, k / 40.0);
        float[] y = resampler.Process(Tone(from, f, n, 0.5), from, to, scratch);
        (double amplitude, double residual) = Fit(y, to, f);
        double gainDb = 20 * Math.Log10(amplitude / 0.5);
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
    double stopband = double.NaN;
    if (from > to)
    {
        double worst = double.NegativeInfinity;
        for (int k = 0; k <= 20; k++)
        {
            double f = (outNyquist * 1.02) + ((inNyquist * 0.98 - (outNyquist * 1.02)) * k / 20.0);
            float[] y = resampler.Process(Tone(from, f, n, 0.5), from, to, scratch);
            double rms = Rms(Centre(y));
            worst = Math.Max(worst, rms == 0 ? double.NegativeInfinity : 20 * Math.Log10((rms * Math.Sqrt(2)) / 0.5));
        }

        stopband = -worst;
    }

    return new Quality(ripMax - ripMin, gain20k, worstSpurious, stopband);
}

static float[] Tone(int rate, double f, int n, double amplitude)
{
    var x = new float[n];
    for (int i = 0; i < n; i++)
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
    foreach (float v in y)
    {
        s += v * (double)v;
    }

    return Math.Sqrt(s / Math.Max(1, y.Length));
}

// Least-squares fit of a*sin + b*cos + c at the known frequency; returns the amplitude and the RMS of what
// the fit leaves (aliases, images, filter noise), as a peak-equivalent level.
static (double Amplitude, double Residual) Fit(float[] y, int rate, double f)
{
    ReadOnlySpan<float> c = Centre(y);
    int offset = y.Length / 4;
    double[,] ata = new double[3, 3];
    double[] atb = new double[3];
    for (int i = 0; i < c.Length; i++)
    {
        double phase = 2 * Math.PI * f * (offset + i) / rate;
        double[] row = [Math.Sin(phase), Math.Cos(phase), 1];
        for (int r = 0; r < 3; r++)
        {
            atb[r] += row[r] * c[i];
            for (int q = 0; q < 3; q++)
            {
                ata[r, q] += row[r] * row[q];
            }
        }
    }

    double[] coef = Solve3(ata, atb);
    double sq = 0;
    for (int i = 0; i < c.Length; i++)
    {
        double phase = 2 * Math.PI * f * (offset + i) / rate;
        double e = c[i] - ((coef[0] * Math.Sin(phase)) + (coef[1] * Math.Cos(phase)) + coef[2]);
        sq += e * e;
    }

    return (Math.Sqrt((coef[0] * coef[0]) + (coef[1] * coef[1])), Math.Sqrt(2 * sq / c.Length));
}

static double[] Solve3(double[,] a, double[] b)
{
    var m = (double[,])a.Clone();
    var v = (double[])b.Clone();
    for (int col = 0; col < 3; col++)
    {
        int pivot = col;
        for (int r = col + 1; r < 3; r++)
        {
            if (Math.Abs(m[r, col]) > Math.Abs(m[pivot, col]))
            {
                pivot = r;
            }
        }

        for (int q = 0; q < 3; q++)
        {
            (m[col, q], m[pivot, q]) = (m[pivot, q], m[col, q]);
        }

        (v[col], v[pivot]) = (v[pivot], v[col]);
        for (int r = 0; r < 3; r++)
        {
            if (r == col)
            {
                continue;
            }

            double factor = m[r, col] / m[col, col];
            for (int q = 0; q < 3; q++)
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
            int n = Math.Min(buffer.Length, samples.Length - _position);
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
        string source = Path.Combine(scratch, "in.wav");
        string target = Path.Combine(scratch, "out.wav");
        WavFile.Write(source, AudioBuffer.Mono(from, input), WavSampleFormat.Float32);
        var start = new ProcessStartInfo("sox") { RedirectStandardError = true };
        foreach (string a in (string[])[source, "-e", "floating-point", "-b", "32", target, "rate", .. quality, to.ToString(CultureInfo.InvariantCulture)])
        {
            start.ArgumentList.Add(a);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        string errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"sox failed: {errors}");
        }

        return WavFile.Read(target).Channels[0];
    }
}
