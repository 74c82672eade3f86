using Nsmt.Amp.Capture;
using Nsmt.Audio;

namespace Nsmt.Amp.Tests;

/// <summary>The capture signal: layout positions, content of each section, determinism, file round trip.</summary>
public sealed class CaptureSignalTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nsmt-capture-tests-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Default_layout_puts_everything_where_the_spec_says()
    {
        var layout = CaptureLayout.Compute(30 * 48000, 3 * 48000, 48000);

        // Worked by hand: validation 3 s, gap 0.5 s, clicks 0.25 s and 0.75 s into a 1 s section.
        Assert.Equal(new SampleRange(0, 144000), layout.Validation);
        Assert.Equal(new SampleRange(1296000, 144000), layout.ValidationRepeat);
        Assert.Equal([180000, 204000], layout.ClickPositions);
        Assert.Equal(SampleRange.FromBounds(168000, 1296000), layout.Train);
        Assert.Equal(0, layout.Sections[0].Range.Start);
        for (var i = 1; i < layout.Sections.Count; i++)
        {
            Assert.Equal(layout.Sections[i - 1].Range.End, layout.Sections[i].Range.Start);
        }

        Assert.Equal(30 * 48000, layout.Sections[^1].Range.End);
        Assert.All(layout.Sweeps, s =>
            Assert.True(layout.SectionOf(CaptureSectionKind.Sweeps)!.Range.Contains(s.Start) && s.Length > 48000)
        );
    }

    [Fact]
    public void Signal_holds_clicks_silences_and_an_exact_validation_repeat()
    {
        var signal = AmpTestSignals.Capture;
        var x = signal.Samples;

        Assert.Equal(12 * 48000, x.Length);
        Assert.Equal(48000, signal.SampleRate);
        foreach (var click in signal.ClickPositions)
        {
            Assert.Equal(0.9f, x[click], 1e-6f);
            Assert.All(x.AsSpan(click - 2000, 2000).ToArray(), v => Assert.Equal(0f, v));
            Assert.All(x.AsSpan(click + 1, 2000).ToArray(), v => Assert.Equal(0f, v));
        }

        foreach (var silence in signal.Sections.Where(s => s.Kind == CaptureSectionKind.Silence))
        {
            Assert.All(x.AsSpan(silence.Range.Start, silence.Range.Length).ToArray(), v => Assert.Equal(0f, v));
        }

        var first = x.AsSpan(signal.ValidationRange.Start, signal.ValidationRange.Length);
        var repeat = x.AsSpan(signal.ValidationRepeatRange.Start, signal.ValidationRepeatRange.Length);
        Assert.True(first.SequenceEqual(repeat));
        Assert.True(AmpTestSignals.RmsDb(first) > -40, "the validation passage should be guitar, not silence");
        Assert.InRange(x.Max(Math.Abs), 0.85f, 0.9f);
    }

    [Fact]
    public void Sweep_follows_the_exponential_law()
    {
        var signal = AmpTestSignals.Capture;
        var sweep = signal.Layout.Sweeps[1];
        var x = signal.Samples.AsSpan(sweep.Start, sweep.Length);

        // Farina sweep: f(t) = f1 * (f2/f1)^(t/T); at mid-sweep sqrt(20 * 20000) = 632.5 Hz.
        var middle = x.Length / 2;
        var window = x.Slice(middle - 1200, 2400);
        var crossings = 0;
        for (var i = 1; i < window.Length; i++)
        {
            if ((window[i - 1] < 0) != (window[i] < 0))
            {
                crossings++;
            }
        }

        var frequency = crossings / 2.0 / (window.Length / 48000.0);
        Assert.InRange(frequency, 632.5 * 0.97, 632.5 * 1.03);
        Assert.InRange(x.ToArray().Max(Math.Abs), 0.49f, 0.5f);
    }

    [Fact]
    public void Noise_bursts_rise_through_the_stated_levels()
    {
        var signal = AmpTestSignals.Capture;
        var noise = signal.Sections.Single(s => s.Kind == CaptureSectionKind.Noise).Range;
        double[] levels = [-48, -36, -24, -18, -14];
        var gap = 48000 / 20;
        var each = (noise.Length / levels.Length) - gap;
        for (var k = 0; k < levels.Length; k++)
        {
            // Skip the 10 ms fades at both ends.
            var burst = signal.Samples.AsSpan(noise.Start + (k * (each + gap)) + 480, each - 960);
            Assert.InRange(AmpTestSignals.RmsDb(burst), levels[k] - 0.6, levels[k] + 0.6);
        }
    }

    [Fact]
    public void Karplus_strong_pluck_has_the_requested_pitch_and_decay()
    {
        var output = new double[48000 * 2];
        PluckedString.Render(
            new Pluck(110, 0.5, 0.7, DecaySeconds: 1.0, PickPosition: 0.2, Muted: false),
            new Random(1),
            48000,
            output,
            0,
            output.Length - 1000
        );

        // Autocorrelation peak near one period (436.4 samples at 110 Hz).
        var segment = output.AsSpan(4800, 9600);
        var bestLag = 0;
        var best = double.NegativeInfinity;
        for (var lag = 300; lag < 600; lag++)
        {
            double sum = 0;
            for (var i = 0; i + lag < segment.Length; i++)
            {
                sum += segment[i] * segment[i + lag];
            }

            if (sum > best)
            {
                (best, bestLag) = (sum, lag);
            }
        }

        Assert.InRange(48000.0 / bestLag, 110 * 0.99, 110 * 1.01);

        // T60 = 1 s: the level 1 s later is about 60 dB lower (the averaging filter adds a little more loss).
        var early = Rms(output.AsSpan(2400, 4800));
        var late = Rms(output.AsSpan(2400 + 48000, 4800));
        Assert.InRange(20 * Math.Log10(late / early), -75, -55);
    }

    [Fact]
    public void Same_seed_gives_the_same_samples_and_another_seed_other_guitar()
    {
        var options = new CaptureSignalOptions
        {
            Seconds = 11,
            ValidationSeconds = 1,
            Seed = 9,
        };
        var a = CaptureSignal.Generate(options);
        var b = CaptureSignal.Generate(options);
        var c = CaptureSignal.Generate(options with { Seed = 10 });

        Assert.True(a.Samples.AsSpan().SequenceEqual(b.Samples));
        var guitar = a.Sections.Single(s => s.Kind == CaptureSectionKind.Guitar).Range;
        Assert.False(
            a.Samples.AsSpan(guitar.Start, guitar.Length).SequenceEqual(c.Samples.AsSpan(guitar.Start, guitar.Length))
        );
        Assert.Equal(a.ClickPositions, c.ClickPositions);
    }

    [Fact]
    public void Saved_file_is_24_bit_lossless_and_its_layout_is_recognised()
    {
        var signal = AmpTestSignals.Capture;
        var path = Path.Combine(_folder, "capture.wav");

        signal.Save(path);
        var info = WavFile.ReadInfo(path);
        var back = WavFile.Read(path).Channels[0];
        var detected = CaptureLayout.Detect(back, 48000);

        Assert.Equal(WavSampleFormat.Pcm24, info.Format);
        Assert.Equal(1, info.ChannelCount);
        Assert.True(back.AsSpan().SequenceEqual(signal.Samples));
        Assert.NotNull(detected);
        Assert.Equal(signal.ValidationRange, detected.Validation);
        Assert.Equal(signal.ClickPositions, detected.ClickPositions);
    }

    [Fact]
    public void Other_audio_is_not_mistaken_for_a_capture_signal()
    {
        var x = (float[])AmpTestSignals.Capture.Samples.Clone();
        x[x.Length - 100] += 0.01f; // the repeat no longer equals the first passage

        Assert.Null(CaptureLayout.Detect(x, 48000));
        Assert.Null(CaptureLayout.Detect(AmpTestSignals.Sine(48000 * 12, 440, 0.5), 48000));
        Assert.Null(CaptureLayout.Detect(new float[48000 * 12], 48000));
    }

    [Fact]
    public void Too_short_a_signal_is_refused_with_the_minimum_length()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            CaptureSignal.Generate(new CaptureSignalOptions { Seconds = 10, ValidationSeconds = 3 })
        );

        Assert.Contains("Seconds", error.Message, StringComparison.Ordinal);
        Assert.Contains("at least 11 s", error.Message, StringComparison.Ordinal);
        // Issue 23: .NET's "(Parameter 'options')" is not for users.
        Assert.DoesNotContain("(Parameter", error.Message, StringComparison.Ordinal);
    }

    private static double Rms(ReadOnlySpan<double> x)
    {
        double sum = 0;
        foreach (var v in x)
        {
            sum += v * v;
        }

        return Math.Sqrt(sum / x.Length);
    }
}
