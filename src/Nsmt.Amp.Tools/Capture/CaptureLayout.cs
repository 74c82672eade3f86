using Nsmt.Audio;

namespace Nsmt.Amp.Capture;

/// <summary>
/// Where everything is in the capture signal (NAM's v3 standard signal in miniature):
/// <code>
/// validation | silence 0.5 s | clicks 1 s (at +0.25 s, +0.75 s) | sweeps | noise bursts | guitar | silence 0.5 s | validation repeat
/// </code>
/// The layout is a pure function of (total length, validation length, sample rate), so it can be
/// recovered from the DI file alone (<see cref="Detect"/>) and nothing has to travel beside it.
/// </summary>
public sealed class CaptureLayout
{
    public const double GapSeconds = 0.5;
    public const double ClickSectionSeconds = 1.0;
    public const double FirstClickSeconds = 0.25;
    public const double SecondClickSeconds = 0.75;
    public const float ClickAmplitude = 0.9f;

    /// <summary>Shortest run of digital silence taken as the gap after the validation passage.</summary>
    private const double MinimumGapForDetection = 0.4;

    private CaptureLayout(int sampleRate, int length, IReadOnlyList<CaptureSection> sections)
    {
        SampleRate = sampleRate;
        Length = length;
        Sections = sections;
        Validation = Find(CaptureSectionKind.Validation).Range;
        ValidationRepeat = Find(CaptureSectionKind.ValidationRepeat).Range;
        var clicks = Find(CaptureSectionKind.Clicks).Range;
        ClickPositions = [clicks.Start + Samples(FirstClickSeconds), clicks.Start + Samples(SecondClickSeconds)];
        // The input is silent here, so the output shows the rig's noise floor (the click threshold's base).
        ClickBackground = new SampleRange(clicks.Start + Samples(0.05), Samples(0.15));
        Train = SampleRange.FromBounds(clicks.Start, ValidationRepeat.Start);
        var sweeps = Find(CaptureSectionKind.Sweeps).Range;
        var gap = sampleRate / 10;
        var each = (sweeps.Length - (2 * gap)) / 2;
        Sweeps = [new SampleRange(sweeps.Start, each), new SampleRange(sweeps.Start + each + gap, each)];
    }

    public int SampleRate { get; }

    /// <summary>Total length in samples.</summary>
    public int Length { get; }

    public IReadOnlyList<CaptureSection> Sections { get; }

    /// <summary>The validation passage at the start.</summary>
    public SampleRange Validation { get; }

    /// <summary>The same passage at the end: the held-out validation range.</summary>
    public SampleRange ValidationRepeat { get; }

    /// <summary>Sample indices of the two clicks.</summary>
    public IReadOnlyList<int> ClickPositions { get; }

    /// <summary>A silent stretch of input before the first click: the output there is the noise floor.</summary>
    public SampleRange ClickBackground { get; }

    /// <summary>
    /// What to train on: from the clicks to the start of the validation repeat. The first validation
    /// passage is left out because it is the same audio as the held-out one (as NAM does).
    /// </summary>
    public SampleRange Train { get; }

    /// <summary>The two log sweeps (20 Hz to 20 kHz): at <see cref="SweepLevels"/>[0] and [1] peak.</summary>
    public IReadOnlyList<SampleRange> Sweeps { get; }

    /// <summary>Peak levels of the sweeps (linear): -20 dBFS and -6 dBFS.</summary>
    public static IReadOnlyList<double> SweepLevels { get; } = [0.1, 0.5];

    public CaptureSection? SectionOf(CaptureSectionKind kind) => Sections.FirstOrDefault(s => s.Kind == kind);

    /// <summary>The layout of a signal of <paramref name="length"/> samples with a validation passage of <paramref name="validationLength"/>.</summary>
    /// <exception cref="ArgumentException">Too short to hold every section; the message names the minimum.</exception>
    public static CaptureLayout Compute(int length, int validationLength, int sampleRate)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 8000);
        ArgumentOutOfRangeException.ThrowIfLessThan(validationLength, sampleRate / 2);
        var gap = (int)Math.Round(GapSeconds * sampleRate);
        var clicks = (int)Math.Round(ClickSectionSeconds * sampleRate);
        var fixedLength = (2 * validationLength) + (2 * gap) + clicks;
        var middle = length - fixedLength;
        var minimumMiddle = 3 * sampleRate;
        if (middle < minimumMiddle)
        {
            throw new ArgumentException(
                $"a capture signal with {(double)validationLength / sampleRate:0.###} s validation passages needs at least "
                    + $"{(double)(fixedLength + minimumMiddle) / sampleRate:0.###} s, got {(double)length / sampleRate:0.###} s"
            );
        }

        // Sweeps and noise get a fixed share of the middle (bounded); guitar gets the rest.
        var sweeps = Math.Clamp((int)(0.12 * middle), sampleRate, 6 * sampleRate);
        var noise = Math.Clamp((int)(0.10 * middle), sampleRate / 2, 4 * sampleRate);
        var guitar = middle - sweeps - noise;
        var sections = new List<CaptureSection>();
        var position = 0;
        void Add(CaptureSectionKind kind, int count, string description)
        {
            sections.Add(new CaptureSection(kind, new SampleRange(position, count), description));
            position += count;
        }

        Add(CaptureSectionKind.Validation, validationLength, "validation passage (guitar)");
        Add(CaptureSectionKind.Silence, gap, "silence");
        Add(CaptureSectionKind.Clicks, clicks, "two clicks for latency detection");
        Add(CaptureSectionKind.Sweeps, sweeps, "log sine sweeps 20 Hz - 20 kHz at -20 and -6 dBFS");
        Add(CaptureSectionKind.Noise, noise, "white-noise bursts from -48 to -14 dBFS RMS");
        Add(CaptureSectionKind.Guitar, guitar, "synthetic guitar: plucks, chords, palm mutes, dynamics");
        Add(CaptureSectionKind.Silence, gap, "silence");
        Add(CaptureSectionKind.ValidationRepeat, validationLength, "validation passage repeated (held out)");
        return new CaptureLayout(sampleRate, length, sections);
    }

    /// <summary>
    /// Recognises a capture signal made by <see cref="CaptureSignal.Generate"/> from its samples
    /// (e.g. a DI file read back): a long run of digital silence ends at the first click, the end of
    /// the signal repeats the passage before that silence exactly, and both clicks sit where the
    /// layout says.
    /// Returns null for any other audio.
    /// </summary>
    public static CaptureLayout? Detect(float[] samples, int sampleRate) =>
        Detect(SampleSource.Of(samples), sampleRate);

    /// <summary>
    /// <see cref="Detect(float[], int)"/> on a recording of any length: it scans for the silence a piece at a time and
    /// reads only the passages and clicks it checks.
    /// </summary>
    public static CaptureLayout? Detect(SampleSource samples, int sampleRate)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var minimumGap = (int)(MinimumGapForDetection * sampleRate);
        var silenceBeforeClick =
            (int)Math.Round(GapSeconds * sampleRate) + (int)Math.Round(FirstClickSeconds * sampleRate);
        var position = 0;
        for (var attempt = 0; attempt < 8 && position < samples.Length; attempt++)
        {
            var runStart = FindSilentRun(samples, position, minimumGap);
            if (runStart < 0)
            {
                return null;
            }

            var runEnd = EndOfSilence(samples, runStart);

            // The run ends at the first click, a fixed distance after the validation passage; using
            // its end rather than its start tolerates a passage that fades to exact zero.
            var validationLength = runEnd - silenceBeforeClick;
            if (validationLength >= sampleRate / 2 && TryLayout(samples, validationLength, sampleRate) is { } layout)
            {
                return layout;
            }

            position = runEnd;
        }

        return null;
    }

    private static CaptureLayout? TryLayout(SampleSource samples, int validationLength, int sampleRate)
    {
        CaptureLayout layout;
        try
        {
            layout = Compute(samples.Length, validationLength, sampleRate);
        }
        catch (ArgumentException)
        {
            return null;
        }

        if (!SameSamples(samples, layout.Validation.Start, layout.ValidationRepeat.Start, validationLength))
        {
            return null;
        }

        var guard = sampleRate / 100;
        foreach (var click in layout.ClickPositions)
        {
            var around = samples.Read(click - guard, (2 * guard) + 1);
            if (!(Math.Abs(around[guard]) >= 0.5f))
            {
                return null;
            }

            for (var i = 0; i < around.Length; i++)
            {
                if (i != guard && around[i] != 0)
                {
                    return null;
                }
            }
        }

        return layout;
    }

    /// <summary>Whether samples [a, a + length) equal samples [b, b + length) (compared a piece at a time).</summary>
    private static bool SameSamples(SampleSource samples, int a, int b, int length)
    {
        var other = new float[Math.Min(SampleSource.ChunkSamples, length)];
        var offset = 0;
        foreach (var piece in samples.Chunks(a, a + length))
        {
            // A file's pieces are at most ChunkSamples long; an array's single piece is compared a buffer at a time.
            for (var done = 0; done < piece.Length; done += other.Length)
            {
                var part = piece.Span.Slice(done, Math.Min(other.Length, piece.Length - done));
                samples.Read(b + offset + done, other.AsSpan(0, part.Length));
                if (!part.SequenceEqual(other.AsSpan(0, part.Length)))
                {
                    return false;
                }
            }

            offset += piece.Length;
        }

        return true;
    }

    private static int FindSilentRun(SampleSource samples, int from, int minimumLength)
    {
        var run = 0;
        var i = from;
        foreach (var piece in samples.Chunks(from, samples.Length))
        {
            foreach (var v in piece.Span)
            {
                run = v == 0 ? run + 1 : 0;
                if (run >= minimumLength)
                {
                    return i - run + 1;
                }

                i++;
            }
        }

        return -1;
    }

    /// <summary>The first non-zero sample at or after <paramref name="from"/> (the length when there is none).</summary>
    private static int EndOfSilence(SampleSource samples, int from)
    {
        var i = from;
        foreach (var piece in samples.Chunks(from, samples.Length))
        {
            foreach (var v in piece.Span)
            {
                if (v != 0)
                {
                    return i;
                }

                i++;
            }
        }

        return i;
    }

    private CaptureSection Find(CaptureSectionKind kind) => Sections.First(s => s.Kind == kind);

    private int Samples(double seconds) => (int)Math.Round(seconds * SampleRate);
}
