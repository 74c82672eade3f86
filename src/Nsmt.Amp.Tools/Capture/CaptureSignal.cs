using Nsmt.Audio;

namespace Nsmt.Amp.Capture;

/// <summary>
/// The training signal to play through the amp (the "DI"): validation passage, clicks for latency,
/// sine sweeps, noise bursts, synthetic guitar, and the validation passage again (see
/// <see cref="CaptureLayout"/>). Samples lie on the 24-bit grid, so saving as 24-bit PCM and
/// reading back gives the same floats.
/// </summary>
public sealed class CaptureSignal
{
    private CaptureSignal(float[] samples, CaptureLayout layout, CaptureSignalOptions options)
    {
        Samples = samples;
        Layout = layout;
        Options = options;
    }

    public float[] Samples { get; }

    public int SampleRate => Layout.SampleRate;

    public CaptureLayout Layout { get; }

    public CaptureSignalOptions Options { get; }

    public IReadOnlyList<int> ClickPositions => Layout.ClickPositions;

    /// <summary>The validation passage at the start.</summary>
    public SampleRange ValidationRange => Layout.Validation;

    /// <summary>Its repeat at the end (the held-out range).</summary>
    public SampleRange ValidationRepeatRange => Layout.ValidationRepeat;

    public IReadOnlyList<CaptureSection> Sections => Layout.Sections;

    public double DurationSeconds => (double)Samples.Length / SampleRate;

    /// <exception cref="ArgumentException">An option is out of range; the message names it.</exception>
    public static CaptureSignal Generate(CaptureSignalOptions? options = null)
    {
        options ??= new CaptureSignalOptions();
        Check(
            options.SampleRate >= 16000 && options.SampleRate <= 384000,
            nameof(options.SampleRate),
            "between 16000 and 384000 Hz",
            options.SampleRate
        );
        Check(
            double.IsFinite(options.Seconds) && options.Seconds > 0 && options.Seconds <= 3600,
            nameof(options.Seconds),
            "in (0, 3600] s",
            options.Seconds
        );
        Check(
            double.IsFinite(options.ValidationSeconds) && options.ValidationSeconds >= 1,
            nameof(options.ValidationSeconds),
            "at least 1 s",
            options.ValidationSeconds
        );
        Check(
            options.GuitarPeak > 0 && options.GuitarPeak <= 0.9,
            nameof(options.GuitarPeak),
            "in (0, 0.9]",
            options.GuitarPeak
        );
        var rate = options.SampleRate;
        var length = (int)Math.Round(options.Seconds * rate);
        var validationLength = (int)Math.Round(options.ValidationSeconds * rate);
        CaptureLayout layout;
        try
        {
            layout = CaptureLayout.Compute(length, validationLength, rate);
        }
        catch (ArgumentException e)
        {
            // No parameter name: it would add "(Parameter 'options')" to a message users read.
            throw new ArgumentException($"{nameof(options.Seconds)}: {e.Message}", e);
        }

        var signal = new double[length];
        // Independent streams per section, so changing one section's length leaves the others' notes alone.
        var validation = GuitarPhrases.Render(new Random(Mix(options.Seed, 1)), rate, validationLength);
        var guitarRange = layout.SectionOf(CaptureSectionKind.Guitar)!.Range;
        var guitar = GuitarPhrases.Render(new Random(Mix(options.Seed, 3)), rate, guitarRange.Length);
        // One scale for both, so the held-out passage is played like the training guitar (not louder).
        var loudest = Math.Max(Peak(validation), Peak(guitar));
        var scale = loudest > 0 ? options.GuitarPeak / loudest : 0;
        Scale(validation, scale);
        Scale(guitar, scale);
        validation.CopyTo(signal, layout.Validation.Start);
        validation.CopyTo(signal, layout.ValidationRepeat.Start);
        guitar.CopyTo(signal, guitarRange.Start);
        foreach (var click in layout.ClickPositions)
        {
            signal[click] = CaptureLayout.ClickAmplitude;
        }

        foreach (var section in layout.Sections)
        {
            var target = signal.AsSpan(section.Range.Start, section.Range.Length);
            switch (section.Kind)
            {
                case CaptureSectionKind.Sweeps:
                    TestSignals.WriteSweeps(signal, layout);
                    break;
                case CaptureSectionKind.Noise:
                    TestSignals.WriteNoiseBursts(target, rate, new Random(Mix(options.Seed, 2)));
                    break;
            }
        }

        var samples = new float[length];
        for (var i = 0; i < length; i++)
        {
            samples[i] = QuantizeTo24Bit(signal[i]);
        }

        return new CaptureSignal(samples, layout, options);
    }

    /// <summary>Writes the signal as 24-bit PCM WAV, atomically.</summary>
    public void Save(string path) => WavFile.Write(path, AudioBuffer.Mono(SampleRate, Samples), WavSampleFormat.Pcm24);

    /// <summary>Rounds to the nearest 24-bit PCM code (scale 2^23, as Nsmt.Audio and sox read it).</summary>
    internal static float QuantizeTo24Bit(double x)
    {
        const double scale = 8388608.0;
        var code = Math.Clamp(Math.Round(x * scale, MidpointRounding.ToEven), -scale, scale - 1);
        return (float)(code / scale);
    }

    private static double Peak(double[] x) => x.Length == 0 ? 0 : Math.Max(x.Max(), -x.Min());

    private static void Scale(double[] x, double scale)
    {
        for (var i = 0; i < x.Length; i++)
        {
            x[i] *= scale;
        }
    }

    private static int Mix(int seed, int stream) => unchecked((seed * 1_000_003) + (stream * 7919));

    private static void Check(bool ok, string name, string expected, object actual)
    {
        if (!ok)
        {
            throw new ArgumentException($"{name}: expected {expected}, got {actual}");
        }
    }
}
