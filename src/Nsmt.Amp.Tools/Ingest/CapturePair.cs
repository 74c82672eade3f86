using System.Globalization;
using Nsmt.Amp.Capture;
using Nsmt.Amp.Evaluation;
using Nsmt.Audio;
using Nsmt.Audio.Dsp;

namespace Nsmt.Amp.Ingest;

/// <summary>
/// A DI (input) and reamp (output) aligned for training: mono, one sample rate, latency removed,
/// levels untouched (except an explicit input gain), with the held-out validation range and the
/// training range. Load checks NAM's rules and reports what it found in <see cref="Report"/>.
/// </summary>
public sealed class CapturePair
{
    /// <summary>Frames read from a WAV file per piece when streaming (<see cref="LoadStreamed"/>).</summary>
    internal const int StreamFrames = 1 << 16;

    private CapturePair(AlignedSignals signals, int sampleRate, CaptureLayout? layout, IngestReport report)
    {
        Signals = signals;
        SampleRate = sampleRate;
        Layout = layout;
        Report = report;
    }

    /// <summary>
    /// The aligned pair: arrays from <see cref="Load(string, string, IngestOptions?)"/>, a scratch file from
    /// <see cref="LoadStreamed"/> (whoever takes the pair disposes it then).
    /// </summary>
    public AlignedSignals Signals { get; }

    /// <summary>The DI, aligned: Input[i] produced Output[i] (a full copy when the pair is in a scratch file).</summary>
    public float[] Input => Signals.Input.AsArray();

    /// <summary>The reamp, aligned (a full copy when the pair is in a scratch file).</summary>
    public float[] Output => Signals.Output.AsArray();

    public int SampleRate { get; }

    public SampleRange ValidationRange => Report.ValidationRange;

    public SampleRange TrainRange => Report.TrainRange;

    /// <summary>The capture signal's layout (positions are DI indices: aligned index = DI index - <see cref="InputOffset"/>), or null for arbitrary audio.</summary>
    public CaptureLayout? Layout { get; }

    /// <summary>DI index of aligned sample 0 (non-zero only when the chosen latency is negative).</summary>
    public int InputOffset => Math.Max(0, -Report.Latency.Alignment.Latency);

    public IngestReport Report { get; }

    /// <summary>Reads two WAV files and aligns them.</summary>
    /// <exception cref="IngestException">A rule is broken; the message names file, field, expected and actual values.</exception>
    /// <exception cref="WavFormatException">A file is not a readable WAV.</exception>
    public static CapturePair Load(string diPath, string reampPath, IngestOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(diPath);
        ArgumentNullException.ThrowIfNull(reampPath);
        return Load(Read(diPath), Read(reampPath), options, diPath, reampPath);
    }

    /// <summary>
    /// <see cref="Load(string, string, IngestOptions?)"/> in memory bounded whatever the recording's length (issue 23
    /// item 13: a 2-hour pair peaked near 8 GB): the files are read a piece at a time into a scratch file in
    /// <paramref name="scratchDirectory"/> (default: TMPDIR), checked and measured on the way, resampled a piece at a
    /// time when asked to (<see cref="Resampler.Stream"/>), and the latency is found from the few seconds it looks at;
    /// <see cref="Signals"/> are then stretches of that file. The same checks, report and samples as
    /// <see cref="Load(string, string, IngestOptions?)"/>.
    /// </summary>
    /// <exception cref="IngestException">A rule is broken; the message names file, field, expected and actual values.</exception>
    /// <exception cref="WavFormatException">A file is not a readable WAV.</exception>
    public static CapturePair LoadStreamed(
        string diPath,
        string reampPath,
        IngestOptions? options = null,
        string? scratchDirectory = null
    )
    {
        ArgumentNullException.ThrowIfNull(diPath);
        ArgumentNullException.ThrowIfNull(reampPath);
        options ??= new IngestOptions();
        CheckOptions(options);
        var names = new PairNames(diPath, reampPath);
        using var di = Open(diPath);
        using var reamp = Open(reampPath);
        var rate = CheckSampleRates(di.Info.SampleRate, reamp.Info.SampleRate, options, names);
        var scratch = ScratchFile.Create(scratchDirectory);
        try
        {
            return StreamThroughScratch(di, reamp, rate, options, names, scratch);
        }
        catch
        {
            scratch.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The scratch file holds the DI as read, the reamp as read, then each one that is resampled at the working rate
    /// <paramref name="rate"/> (the steps and their order are <see cref="Load(AudioBuffer, AudioBuffer, IngestOptions?, string, string)"/>'s);
    /// the input gain is applied to the working DI in place.
    /// </summary>
    private static CapturePair StreamThroughScratch(
        WavReader di,
        WavReader reamp,
        int rate,
        IngestOptions options,
        PairNames names,
        ScratchFile scratch
    )
    {
        var warnings = new List<string>();
        var (inputRate, outputRate) = (di.Info.SampleRate, reamp.Info.SampleRate);
        var inputHandling = ChannelHandling(di.Info.ChannelCount, options.Channel, names.Input);
        var outputHandling = ChannelHandling(reamp.Info.ChannelCount, options.Channel, names.Output);
        var diFrames = Frames(di, names.Input);
        var reampFrames = Frames(reamp, names.Output);

        // A signal kept at its rate is measured as it is read, a resampled one as it is resampled.
        var inputMeter = new LevelMeter(options.ClipLevel);
        var outputMeter = new LevelMeter(options.ClipLevel);
        long end = 0;
        var diAsRead = Spool(
            di,
            diFrames,
            options.Channel,
            names.Input,
            scratch,
            ref end,
            inputRate == rate ? inputMeter : null
        );
        var reampAsRead = Spool(
            reamp,
            reampFrames,
            options.Channel,
            names.Output,
            scratch,
            ref end,
            outputRate == rate ? outputMeter : null
        );
        var layout = RecogniseLayout(diAsRead.Samples, inputRate, options, names.Input);
        var x =
            inputRate == rate
                ? diAsRead
                : Resample(diAsRead.Samples, inputRate, rate, scratch, ref end, inputMeter, names.Input);
        var y =
            outputRate == rate
                ? reampAsRead
                : Resample(reampAsRead.Samples, outputRate, rate, scratch, ref end, outputMeter, names.Output);
        warnings.AddRange(DropLayoutIfResampled(ref layout, inputRate, rate));

        var facts = new PairFacts(
            rate,
            inputRate,
            outputRate,
            ResamplingNote(rate, inputRate, outputRate),
            di.Info.ChannelCount,
            reamp.Info.ChannelCount,
            inputHandling,
            outputHandling,
            diFrames,
            reampFrames,
            inputMeter.Levels,
            outputMeter.Levels
        );
        CheckPair(facts, StartsWith(y.Samples, x.Samples), options, names, warnings);

        if (options.InputGainDb != 0)
        {
            var piece = new float[StreamFrames];
            for (var start = 0; start < x.Samples.Length; start += StreamFrames)
            {
                var stretch = piece.AsSpan(0, Math.Min(StreamFrames, x.Samples.Length - start));
                x.Samples.Read(start, stretch);
                ApplyInputGain(stretch, options.InputGainDb);
                scratch.Write(x.Offset + start, stretch);
            }
        }

        return AlignAndSplit(facts, x.Samples, y.Samples, layout, options, names, warnings, range =>
            AlignedSignals.InScratch(scratch, x.Offset + range.InputStart, y.Offset + range.OutputStart, range.Length)
        );
    }

    /// <summary>A signal's place in the scratch file.</summary>
    private readonly record struct Stretch(long Offset, SampleSource Samples);

    /// <summary>
    /// The file's mono signal written to <paramref name="scratch"/> from <paramref name="end"/> on (which moves past
    /// it), checked finite (naming the frame) and measured by <paramref name="meter"/> when given.
    /// </summary>
    private static Stretch Spool(
        WavReader reader,
        int frames,
        int? channel,
        string name,
        ScratchFile scratch,
        ref long end,
        LevelMeter? meter
    )
    {
        var offset = end;
        foreach (var (start, piece) in MonoPieces(reader, channel))
        {
            FiniteSamples.Require(piece.Span, name, firstFrame: start);
            meter?.Add(piece.Span);
            scratch.Write(offset + start, piece.Span);
        }

        end = offset + frames;
        return new Stretch(offset, SampleSource.Of(scratch, offset, frames));
    }

    /// <summary>
    /// <paramref name="signal"/> resampled a piece at a time to <paramref name="end"/> and on in <paramref name="scratch"/>
    /// (the very floats <see cref="Resampler.Process(ReadOnlySpan{float})"/> gives the whole signal), measured by
    /// <paramref name="meter"/>.
    /// </summary>
    private static Stretch Resample(
        SampleSource signal,
        int fromRate,
        int toRate,
        ScratchFile scratch,
        ref long end,
        LevelMeter meter,
        string name
    )
    {
        var resampler = new Resampler(fromRate, toRate);
        var length = resampler.OutputLength(signal.Length);
        if (length > Array.MaxLength)
        {
            throw new IngestException(
                name,
                "length",
                $"at most {Array.MaxLength} frames at {toRate} Hz",
                $"{length} frames once resampled"
            );
        }

        var offset = end;
        var written = offset;
        var stream = resampler.Start();
        void Keep(ReadOnlySpan<float> samples)
        {
            meter.Add(samples);
            scratch.Write(written, samples);
            written += samples.Length;
        }

        foreach (var piece in signal.Chunks(0, signal.Length))
        {
            Keep(stream.Push(piece.Span));
        }

        Keep(stream.Finish());
        end = written;
        return new Stretch(offset, SampleSource.Of(scratch, offset, (int)length));
    }

    /// <summary>Whether <paramref name="y"/> begins with every sample of <paramref name="x"/> (the same file twice?), read a piece at a time.</summary>
    private static bool StartsWith(SampleSource y, SampleSource x)
    {
        if (x.Length > y.Length)
        {
            return false;
        }

        var theirs = new float[Math.Min(SampleSource.ChunkSamples, x.Length)];
        var start = 0;
        foreach (var piece in x.Chunks(0, x.Length))
        {
            var stretch = theirs.AsSpan(0, piece.Length);
            y.Read(start, stretch);
            if (!piece.Span.SequenceEqual(stretch))
            {
                return false;
            }

            start += piece.Length;
        }

        return true;
    }

    /// <summary>
    /// The file's frames a piece at a time, as ingestion's mono signal (<see cref="ToMono"/>: one channel, the chosen
    /// one, or the average). A piece is valid until the next is asked for.
    /// </summary>
    private static IEnumerable<(int Start, ReadOnlyMemory<float> Mono)> MonoPieces(WavReader reader, int? channel)
    {
        var channels = reader.Info.ChannelCount;
        var planar = new float[channels][];
        for (var c = 0; c < channels; c++)
        {
            planar[c] = new float[StreamFrames];
        }

        var mono = new float[StreamFrames];
        var start = 0;
        int read;
        while ((read = reader.ReadFrames(planar, 0, StreamFrames)) > 0)
        {
            if (channels == 1 || channel is not null)
            {
                yield return (start, planar[channel ?? 0].AsMemory(0, read));
            }
            else
            {
                AudioBuffer.Downmix(planar, 0, mono.AsSpan(0, read));
                yield return (start, mono.AsMemory(0, read));
            }

            start += read;
        }
    }

    private static int Frames(WavReader reader, string name) =>
        reader.Info.FrameCount <= Array.MaxLength
            ? (int)reader.Info.FrameCount
            : throw new IngestException(
                name,
                "length",
                $"at most {Array.MaxLength} frames",
                $"{reader.Info.FrameCount} frames"
            );

    /// <summary>Aligns two mono signals at one rate (in memory).</summary>
    public static CapturePair Load(float[] input, float[] output, int sampleRate, IngestOptions? options = null) =>
        Load(AudioBuffer.Mono(sampleRate, input), AudioBuffer.Mono(sampleRate, output), options, "input", "output");

    /// <summary>Aligns two buffers (any channel counts and rates, handled per <paramref name="options"/>).</summary>
    public static CapturePair Load(
        AudioBuffer input,
        AudioBuffer output,
        IngestOptions? options = null,
        string inputName = "input",
        string outputName = "output"
    )
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        options ??= new IngestOptions();
        CheckOptions(options);
        var names = new PairNames(inputName, outputName);
        var warnings = new List<string>();

        var rate = CheckSampleRates(input.SampleRate, output.SampleRate, options, names);
        var inputHandling = ChannelHandling(input.ChannelCount, options.Channel, inputName);
        var outputHandling = ChannelHandling(output.ChannelCount, options.Channel, outputName);
        var x = ToMono(input, options.Channel);
        var y = ToMono(output, options.Channel);
        FiniteSamples.Require(x, inputName);
        FiniteSamples.Require(y, outputName);
        var layout = RecogniseLayout(SampleSource.Of(x), input.SampleRate, options, inputName);
        var resampling = ResampleTo(rate, input.SampleRate, output.SampleRate, ref x, ref y);
        warnings.AddRange(DropLayoutIfResampled(ref layout, input.SampleRate, rate));

        var facts = new PairFacts(
            rate,
            input.SampleRate,
            output.SampleRate,
            resampling,
            input.ChannelCount,
            output.ChannelCount,
            inputHandling,
            outputHandling,
            input.Length,
            output.Length,
            Levels.Measure(x, options.ClipLevel),
            Levels.Measure(y, options.ClipLevel)
        );
        CheckPair(facts, x.Length <= y.Length && y.AsSpan(0, x.Length).SequenceEqual(x), options, names, warnings);
        ApplyInputGain(x, options.InputGainDb);
        return AlignAndSplit(facts, SampleSource.Of(x), SampleSource.Of(y), layout, options, names, warnings, range =>
            AlignedSignals.InMemory(
                x.AsSpan(range.InputStart, range.Length).ToArray(),
                y.AsSpan(range.OutputStart, range.Length).ToArray()
            )
        );
    }

    /// <summary>What was read, and the levels measured, before alignment (the report's first half).</summary>
    private sealed record PairFacts(
        int SampleRate,
        int InputFileSampleRate,
        int OutputFileSampleRate,
        string? Resampling,
        int InputChannels,
        int OutputChannels,
        string InputChannelHandling,
        string OutputChannelHandling,
        int InputFrames,
        int OutputFrames,
        Levels InputLevels,
        Levels OutputLevels
    );

    /// <summary>The checks on levels and lengths, and the warnings about them, before alignment.</summary>
    private static void CheckPair(
        PairFacts facts,
        bool outputEqualsInput,
        IngestOptions options,
        PairNames names,
        List<string> warnings
    )
    {
        CheckNotSilent(facts.InputLevels, facts.OutputLevels, options, names);
        warnings.AddRange(ClippingWarnings(facts.InputLevels, facts.OutputLevels, options));
        // The lengths at the working rate (after any resampling).
        var (inputLength, outputLength) = (facts.InputLevels.Samples, facts.OutputLevels.Samples);
        CheckLengths((int)inputLength, (int)outputLength, facts.SampleRate, options, names);
        if (outputEqualsInput)
        {
            warnings.Add(
                $"the reamp {names.Output} holds the same samples as the DI {names.Input} (the same file twice?): there is no amp in it to learn"
            );
        }
    }

    /// <summary>Latency, alignment, dropouts and the validation split: the same for a pair in memory and one in a scratch file.</summary>
    /// <param name="x">The DI at the working rate, with the input gain applied.</param>
    /// <param name="y">The reamp at the working rate.</param>
    /// <param name="pairOf">The aligned pair for a range of both (copies, or stretches of the scratch file).</param>
    private static CapturePair AlignAndSplit(
        PairFacts facts,
        SampleSource x,
        SampleSource y,
        CaptureLayout? layout,
        IngestOptions options,
        PairNames names,
        List<string> warnings,
        Func<AlignedRange, AlignedSignals> pairOf
    )
    {
        var rate = facts.SampleRate;
        var latency = ChooseLatency(x, y, layout, options, warnings, names.Output);
        var alignment = Align(x.Length, y.Length, latency.Alignment.Latency, names.Output);
        var signals = pairOf(alignment);
        try
        {
            warnings.AddRange(DropoutWarnings(signals, rate));
            var split = SplitValidation(y, layout, alignment, rate, options, names.Input);
            warnings.AddRange(split.Warnings);
            warnings.AddRange(ReplicateWarnings(split.ReplicateEsr, options));

            var report = new IngestReport
            {
                InputName = names.Input,
                OutputName = names.Output,
                SampleRate = rate,
                InputFileSampleRate = facts.InputFileSampleRate,
                OutputFileSampleRate = facts.OutputFileSampleRate,
                Resampling = facts.Resampling,
                InputChannels = facts.InputChannels,
                OutputChannels = facts.OutputChannels,
                InputChannelHandling = facts.InputChannelHandling,
                OutputChannelHandling = facts.OutputChannelHandling,
                InputFrames = facts.InputFrames,
                OutputFrames = facts.OutputFrames,
                OutputFramesTrimmed = alignment.Trimmed,
                InputGainDb = options.InputGainDb,
                StandardCaptureSignal = layout is not null,
                Latency = latency,
                ReplicateEsr = split.ReplicateEsr,
                ReplicateFlagged = split.ReplicateEsr > options.ReplicateEsrThreshold,
                AlignedLength = alignment.Length,
                ValidationRange = split.Validation,
                TrainRange = split.Train,
                InputPeakDbfs = facts.InputLevels.PeakDbfs,
                OutputPeakDbfs = facts.OutputLevels.PeakDbfs,
                InputRmsDbfs = facts.InputLevels.RmsDbfs,
                OutputRmsDbfs = facts.OutputLevels.RmsDbfs,
                InputClippedSamples = facts.InputLevels.Clipped,
                OutputClippedSamples = facts.OutputLevels.Clipped,
                Warnings = warnings,
            };
            return new CapturePair(signals, rate, layout, report);
        }
        catch
        {
            signals.Dispose();
            throw;
        }
    }

    private readonly record struct PairNames(string Input, string Output);

    /// <summary>Where the aligned signals lie: output sample OutputStart + i answers input sample InputStart + i.</summary>
    private sealed record AlignedRange(int Latency, int InputStart, int OutputStart, int Length, int Trimmed);

    private sealed record ValidationSplit(
        SampleRange Validation,
        SampleRange Train,
        double? ReplicateEsr,
        IReadOnlyList<string> Warnings
    );

    /// <summary>Sample rates: equal, or resampled on request (never silently). Returns the rate to work at.</summary>
    private static int CheckSampleRates(int inputRate, int outputRate, IngestOptions options, PairNames names)
    {
        var rate = options.TargetSampleRate ?? inputRate;
        if (outputRate != inputRate && !options.Resample)
        {
            throw new IngestException(
                names.Output,
                "sample_rate",
                $"{inputRate} Hz (the DI's rate; or ask for resampling)",
                $"{outputRate} Hz"
            );
        }

        if (rate != inputRate && !options.Resample)
        {
            throw new IngestException(
                names.Input,
                "sample_rate",
                $"{rate} Hz (the target rate; or ask for resampling)",
                $"{inputRate} Hz"
            );
        }

        return rate;
    }

    /// <summary>The capture layout, recognised on the DI as written (before any gain or resampling), or given and checked.</summary>
    private static CaptureLayout? RecogniseLayout(
        SampleSource x,
        int inputRate,
        IngestOptions options,
        string inputName
    )
    {
        var layout = options.Layout;
        if (layout is not null && (layout.Length != x.Length || layout.SampleRate != inputRate))
        {
            throw new IngestException(
                inputName,
                "length",
                $"{layout.Length} frames at {layout.SampleRate} Hz (the given capture layout)",
                $"{x.Length} frames at {inputRate} Hz"
            );
        }

        return layout ?? (options.DetectLayout ? CaptureLayout.Detect(x, inputRate) : null);
    }

    /// <summary>Brings both signals to <paramref name="rate"/>; returns what was done, or null when nothing was.</summary>
    private static string? ResampleTo(int rate, int inputRate, int outputRate, ref float[] x, ref float[] y)
    {
        if (inputRate != rate)
        {
            x = new Resampler(inputRate, rate).Process(x);
        }

        if (outputRate != rate)
        {
            y = new Resampler(outputRate, rate).Process(y);
        }

        return ResamplingNote(rate, inputRate, outputRate);
    }

    /// <summary>What bringing both signals to <paramref name="rate"/> takes, for the report; null when nothing.</summary>
    private static string? ResamplingNote(int rate, int inputRate, int outputRate)
    {
        var parts = new List<string>();
        if (inputRate != rate)
        {
            parts.Add($"DI {inputRate} Hz -> {rate} Hz");
        }

        if (outputRate != rate)
        {
            parts.Add($"reamp {outputRate} Hz -> {rate} Hz");
        }

        return parts.Count == 0 ? null : string.Join(", ", parts);
    }

    private static IEnumerable<string> DropLayoutIfResampled(ref CaptureLayout? layout, int inputRate, int rate)
    {
        if (layout is null || inputRate == rate)
        {
            return [];
        }

        // Click and passage positions no longer fall on exact samples: treat as arbitrary audio.
        layout = null;
        return ["the DI was resampled, so the capture layout (clicks, validation repeat) is not used"];
    }

    /// <summary>Levels are measured and checked, never normalised; a silent file is refused.</summary>
    private static void CheckNotSilent(Levels inputLevels, Levels outputLevels, IngestOptions options, PairNames names)
    {
        if (inputLevels.PeakDbfs < options.SilenceDbfs)
        {
            throw new IngestException(
                names.Input,
                "samples",
                $"audio above {options.SilenceDbfs} dBFS peak",
                $"silence (peak {Format(inputLevels.PeakDbfs)} dBFS)"
            );
        }

        if (outputLevels.PeakDbfs < options.SilenceDbfs)
        {
            throw new IngestException(
                names.Output,
                "samples",
                $"audio above {options.SilenceDbfs} dBFS peak (is the amp connected?)",
                $"silence (peak {Format(outputLevels.PeakDbfs)} dBFS)"
            );
        }
    }

    private static IEnumerable<string> ClippingWarnings(Levels inputLevels, Levels outputLevels, IngestOptions options)
    {
        if (inputLevels.Clipped > 0)
        {
            yield return $"the DI has {inputLevels.Clipped} samples at or above {options.ClipLevel} (clipped?)";
        }

        if (outputLevels.Clipped > 0)
        {
            yield return $"the reamp has {outputLevels.Clipped} samples at or above {options.ClipLevel}: the recording clipped; lower the interface input gain";
        }
    }

    /// <summary>The reamp may run up to MaxExtraOutputSeconds longer (trimmed), never shorter.</summary>
    private static void CheckLengths(
        int inputLength,
        int outputLength,
        int rate,
        IngestOptions options,
        PairNames names
    )
    {
        var extraAllowed = (int)Math.Round(options.MaxExtraOutputSeconds * rate);
        if (outputLength < inputLength)
        {
            throw new IngestException(
                names.Output,
                "length",
                $"at least {inputLength} frames (the DI's length, {names.Input})",
                $"{outputLength} frames"
            );
        }

        if (outputLength > inputLength + extraAllowed)
        {
            throw new IngestException(
                names.Output,
                "length",
                $"at most {inputLength + extraAllowed} frames (the DI's {inputLength} plus {options.MaxExtraOutputSeconds} s)",
                $"{outputLength} frames"
            );
        }
    }

    private static void ApplyInputGain(Span<float> x, double gainDb)
    {
        if (gainDb == 0)
        {
            return;
        }

        var gain = Math.Pow(10, gainDb / 20);
        for (var i = 0; i < x.Length; i++)
        {
            x[i] = (float)(x[i] * gain);
        }
    }

    /// <summary>
    /// Output sample i + L answers input sample i. The reamp's extra tail supplies the last L answers; anything
    /// beyond the DI's length is dropped.
    /// </summary>
    private static AlignedRange Align(int inputLength, int outputLength, int latency, string outputName)
    {
        var inputStart = Math.Max(0, -latency);
        var outputStart = Math.Max(0, latency);
        var aligned = Math.Min(inputLength - inputStart, outputLength - outputStart);
        if (aligned <= 0)
        {
            throw new IngestException(
                outputName,
                "latency",
                $"less than the {inputLength} frames of audio",
                $"{latency} samples"
            );
        }

        return new AlignedRange(latency, inputStart, outputStart, aligned, outputLength - outputStart - aligned);
    }

    private static IEnumerable<string> DropoutWarnings(AlignedSignals aligned, int rate)
    {
        if (Dropouts(aligned, rate) is { Count: > 0 } dropouts)
        {
            yield return string.Create(
                CultureInfo.InvariantCulture,
                $"the reamp is silent for {dropouts.Count * 0.1:0.0} s while the DI plays (first at {dropouts[0] / (double)rate:0.0} s): a dropout, a noise gate or a disconnected cable?"
            );
        }
    }

    /// <summary>
    /// The validation and training ranges: everything (whole scope), the capture signal's repeated passage, or the
    /// last ValidationSeconds of arbitrary audio. With the capture signal, also the ESR between its two passages.
    /// </summary>
    private static ValidationSplit SplitValidation(
        SampleSource y,
        CaptureLayout? layout,
        AlignedRange alignment,
        int rate,
        IngestOptions options,
        string inputName
    )
    {
        var aligned = alignment.Length;
        var latency = alignment.Latency;
        var whole =
            options.Scope == ValidationScope.Whole
            || (options.Scope == ValidationScope.HeldOutIfCaptureSignal && layout is null);
        if (whole)
        {
            return new ValidationSplit(
                new SampleRange(0, aligned),
                new SampleRange(0, 0),
                layout is null ? null : ReplicateEsr(y, layout, latency),
                []
            );
        }

        if (layout is not null)
        {
            var validation = layout.ValidationRepeat.ShiftClamped(-alignment.InputStart, aligned);
            var train = layout.Train.ShiftClamped(-alignment.InputStart, aligned);
            // A reamp exactly as long as the DI loses the last few samples of the passage; say so only when it matters.
            string[] warnings =
                layout.ValidationRepeat.Length - validation.Length > rate / 100
                    ?
                    [
                        $"the validation passage lost {layout.ValidationRepeat.Length - validation.Length} samples to the latency (reamp not long enough)",
                    ]
                    : [];
            return new ValidationSplit(validation, train, ReplicateEsr(y, layout, latency), warnings);
        }

        var validationLength = (int)Math.Round(options.ValidationSeconds * rate);
        if (aligned < validationLength + rate)
        {
            throw new IngestException(
                inputName,
                "length",
                $"at least {options.ValidationSeconds + 1} s after alignment ({options.ValidationSeconds} s validation plus 1 s to train on)",
                string.Create(CultureInfo.InvariantCulture, $"{(double)aligned / rate:0.###} s")
            );
        }

        return new ValidationSplit(
            new SampleRange(aligned - validationLength, validationLength),
            new SampleRange(0, aligned - validationLength),
            null,
            []
        );
    }

    private static IEnumerable<string> ReplicateWarnings(double? replicateEsr, IngestOptions options)
    {
        if (replicateEsr > options.ReplicateEsrThreshold)
        {
            yield return string.Create(
                CultureInfo.InvariantCulture,
                $"validation replicates differ (ESR {replicateEsr:0.0000} > {options.ReplicateEsrThreshold}): "
            )
                + "the rig does not sound like itself when played twice (noise, a time-based effect such as delay or reverb, a knob moved, or the amp not warmed up)";
        }
    }

    /// <summary>"; the given latency (N) is used": a manual latency always wins, and warnings must not say otherwise.</summary>
    private static string GivenLatencyUsed(IngestOptions options) =>
        options.ManualLatency is { } given
            ? string.Create(CultureInfo.InvariantCulture, $"; the given latency ({given} samples) is used")
            : "";

    private static LatencyReport ChooseLatency(
        SampleSource x,
        SampleSource y,
        CaptureLayout? layout,
        IngestOptions options,
        List<string> warnings,
        string outputName
    )
    {
        var clicks = layout is null
            ? null
            : LatencyDetector.DetectByClicks(y, layout, options.LatencyLookahead, options.MaxLatencySamples);
        var window = layout?.SectionOf(CaptureSectionKind.Guitar)?.Range;
        var correlation = LatencyDetector.DetectByCorrelation(
            x,
            y,
            options.LatencyLookahead,
            options.MaxLatencySamples,
            window
        );

        var clickLatency = clicks is { AllDetected: true } ? clicks.Delays.Min() : null;
        var notDetected = clicks is not null && !clicks.AllDetected;
        var matchesLookahead = clicks is not null && clicks.Delays.Any(d => d == -options.LatencyLookahead);
        var disagreement = false;
        if (notDetected)
        {
            warnings.Add(
                "no response rose above the click threshold after at least one click: is the reamp connected and recorded from the start?"
            );
        }

        if (matchesLookahead)
        {
            warnings.Add("a click delay sits at the edge of the search window (output before input?): check the files");
        }

        if (clicks is { AllDetected: true } && clicks.Delays.Max() - clicks.Delays.Min() >= 20)
        {
            disagreement = true;
            warnings.Add(
                $"the two clicks give different delays ({string.Join(", ", clicks.Delays)}): if the model is poor, give the latency manually"
            );
        }

        if (clickLatency is { } fromClicks && correlation is { } corr)
        {
            // Both mark where the rig starts to answer (the click threshold, the response's rise).
            double difference = Math.Abs(corr.Onset - fromClicks);
            if (difference > options.DisagreementToleranceSamples)
            {
                disagreement = true;
                warnings.Add(
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"latency by clicks ({fromClicks}) and by cross-correlation ({corr.Onset}) differ by more than {options.DisagreementToleranceSamples} samples{GivenLatencyUsed(options)}"
                    )
                );
            }
            else if (difference > options.AgreementToleranceSamples)
            {
                // Which one wins: the given latency when there is one (it always does), else the earlier clicks.
                var winner = options.ManualLatency is null
                    ? ": the earlier clicks win over the correlation; give the latency if the model sounds late or smeared"
                    : GivenLatencyUsed(options);
                warnings.Add(
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"latency by clicks ({fromClicks}) and by cross-correlation ({corr.Onset}) differ by {difference:0} samples (more than {options.AgreementToleranceSamples}){winner}"
                    )
                );
            }
        }

        // What the detection would have chosen (the onset less its margin), against the given latency.
        int? detectedOnset =
            clickLatency is { } byClicks ? byClicks - options.SafetyMarginSamples
            : correlation is { } byCorrelation ? byCorrelation.Onset - options.CorrelationSafetyMarginSamples
            : null;
        if (
            options.ManualLatency is { } given
            && detectedOnset is { } found
            && Math.Abs(found - given) > options.AgreementToleranceSamples
        )
        {
            warnings.Add(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"the given latency ({given} samples) differs from the one detected on this pair ({found}, by {(clickLatency is null ? "cross-correlation" : "clicks")}){GivenLatencyUsed(options)}"
                )
            );
        }

        if (correlation is { Confident: false } doubtful)
        {
            warnings.Add(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"the cross-correlation peak stands only {doubtful.PeakToNoiseDb:0.0} dB above the rest (below {LatencyDetector.CorrelationDetection.ConfidentDb} dB): the delay is uncertain (noise, a time-based effect, or too little playing); check it or give the latency manually"
                )
            );
        }

        if (correlation is { Peak: < 0 })
        {
            warnings.Add("the reamp is polarity-inverted relative to the DI (the model will learn the inversion)");
        }

        int chosen;
        int margin;
        LatencyMethod method;
        if (options.ManualLatency is { } manual)
        {
            (chosen, margin, method) = (manual, 0, LatencyMethod.Manual);
        }
        else if (options.TrainedAlignment is { } trained)
        {
            (chosen, margin, method) = (trained.Latency, trained.SafetyMargin, LatencyMethod.Model);
            int? detected =
                clickLatency is { } c ? c - options.SafetyMarginSamples
                : correlation is { } r ? r.Onset - options.CorrelationSafetyMarginSamples
                : null;
            if (detected is { } d && Math.Abs(d - trained.Latency) > options.AgreementToleranceSamples)
            {
                warnings.Add(
                    $"this recording's detected alignment ({d} samples) differs from the one the model was trained with ({trained.Latency}): "
                        + "a different interface, buffer size or sample rate? The model's is used; give the latency to override"
                );
            }
        }
        else if (clickLatency is { } onset)
        {
            (chosen, margin, method) = (
                onset - options.SafetyMarginSamples,
                options.SafetyMarginSamples,
                LatencyMethod.Clicks
            );
        }
        else if (correlation is not null)
        {
            (chosen, margin, method) = (
                correlation.Onset - options.CorrelationSafetyMarginSamples,
                options.CorrelationSafetyMarginSamples,
                LatencyMethod.CrossCorrelation
            );
        }
        else
        {
            throw new IngestException(
                outputName,
                "latency",
                "a detectable delay (clicks or correlation) or a manual latency",
                "none: the signals are too short or silent"
            );
        }

        return new LatencyReport
        {
            ClickDelays = clicks?.Delays.Select(d => d ?? int.MinValue).Where(d => d != int.MinValue).ToArray(),
            ClickLatency = clickLatency,
            ClicksNotDetected = notDetected,
            ClickThreshold = clicks?.Threshold,
            CorrelationLatency = correlation?.Latency,
            CorrelationPeak = correlation?.Peak,
            CorrelationOnset = correlation?.Onset,
            CorrelationConfidenceDb = correlation?.PeakToNoiseDb,
            Manual = options.ManualLatency,
            Alignment = new Alignment(chosen, margin),
            Method = method,
            MatchesLookahead = matchesLookahead,
            Disagreement = disagreement,
        };
    }

    /// <summary>ESR(first passage's output, repeat's output) with the repeat as target, over the samples both have.</summary>
    private static double? ReplicateEsr(SampleSource y, CaptureLayout layout, int latency)
    {
        // The samples where both passages lie inside the recording (a negative latency cuts the first's start,
        // the recording's end the repeat's).
        var from = Math.Max(0, -(layout.Validation.Start + latency));
        var to = Math.Min(layout.Validation.Length, y.Length - (layout.ValidationRepeat.Start + latency));
        if (to <= from)
        {
            return null;
        }

        var count = to - from;
        return Metrics.Esr(
            y.Read(layout.Validation.Start + latency + from, count),
            y.Read(layout.ValidationRepeat.Start + latency + from, count)
        );
    }

    /// <summary>Starts of 100 ms windows where the DI plays (above -50 dBFS RMS) but the reamp is silent (below -80 dBFS RMS).</summary>
    private static List<int> Dropouts(AlignedSignals aligned, int rate)
    {
        var window = rate / 10;
        var (input, output) = (new float[window], new float[window]);
        var starts = new List<int>();
        for (var start = 0; start + window <= aligned.Length; start += window)
        {
            aligned.Input.Read(start, input);
            aligned.Output.Read(start, output);
            double inputEnergy = 0,
                outputEnergy = 0;
            for (var i = 0; i < window; i++)
            {
                inputEnergy += (double)input[i] * input[i];
                outputEnergy += (double)output[i] * output[i];
            }

            if (inputEnergy / window > 1e-5 && outputEnergy / window < 1e-8)
            {
                starts.Add(start);
            }
        }

        return starts;
    }

    private static AudioBuffer Read(string path)
    {
        using var reader = Open(path);
        return reader.ReadToEnd();
    }

    private static WavReader Open(string path) =>
        File.Exists(path)
            ? WavReader.Open(path)
            : throw new IngestException(path, "file", "an existing WAV file", "no such file");

    private static string ChannelHandling(int channelCount, int? channel, string name)
    {
        if (channelCount == 1)
        {
            return channel is null or 0
                ? "mono"
                : throw new IngestException(
                    name,
                    "channels",
                    $"a channel index below 1 (the file is mono)",
                    $"channel {channel}"
                );
        }

        if (channel is { } c)
        {
            return c < channelCount
                ? $"channel {c + 1} of {channelCount}"
                : throw new IngestException(name, "channels", $"a channel index below {channelCount}", $"channel {c}");
        }

        return $"average of {channelCount} channels";
    }

    private static float[] ToMono(AudioBuffer audio, int? channel)
    {
        if (audio.ChannelCount == 1)
        {
            return audio.Channels[0].ToArray();
        }

        if (channel is { } c)
        {
            return audio.Channels[c].ToArray();
        }

        return audio.Downmix();
    }

    private static void CheckOptions(IngestOptions o)
    {
        static void Require(bool ok, string field, string expected, object actual)
        {
            if (!ok)
            {
                throw new IngestException(
                    "options",
                    field,
                    expected,
                    Convert.ToString(actual, CultureInfo.InvariantCulture) ?? "null"
                );
            }
        }

        Require(o.TargetSampleRate is null or > 0, nameof(o.TargetSampleRate), "a positive rate", o.TargetSampleRate!);
        Require(o.Channel is null or >= 0, nameof(o.Channel), "a channel index >= 0", o.Channel!);
        Require(
            double.IsFinite(o.InputGainDb) && Math.Abs(o.InputGainDb) <= 60,
            nameof(o.InputGainDb),
            "a gain within +-60 dB",
            o.InputGainDb
        );
        Require(o.ValidationSeconds > 0, nameof(o.ValidationSeconds), "a positive duration", o.ValidationSeconds);
        Require(
            o.SafetyMarginSamples >= 0 && o.CorrelationSafetyMarginSamples >= 0,
            nameof(o.SafetyMarginSamples),
            "non-negative margins",
            $"{o.SafetyMarginSamples}, {o.CorrelationSafetyMarginSamples}"
        );
        Require(
            o.AgreementToleranceSamples >= 0 && o.DisagreementToleranceSamples >= 0,
            nameof(o.AgreementToleranceSamples),
            "non-negative tolerances",
            $"{o.AgreementToleranceSamples}, {o.DisagreementToleranceSamples}"
        );
        Require(
            o.LatencyLookahead >= 0 && o.MaxLatencySamples > 0,
            nameof(o.MaxLatencySamples),
            "a non-negative lookahead and a positive maximum",
            $"{o.LatencyLookahead}, {o.MaxLatencySamples}"
        );
        Require(
            o.MaxExtraOutputSeconds >= 0,
            nameof(o.MaxExtraOutputSeconds),
            "a non-negative duration",
            o.MaxExtraOutputSeconds
        );
    }

    private static string Format(double db) =>
        double.IsNegativeInfinity(db) ? "-inf" : db.ToString("0.0", CultureInfo.InvariantCulture);

    /// <param name="Samples">How many samples were measured.</param>
    private readonly record struct Levels(double PeakDbfs, double RmsDbfs, long Clipped, long Samples)
    {
        public static Levels Measure(float[] x, double clipLevel)
        {
            var meter = new LevelMeter(clipLevel);
            meter.Add(x);
            return meter.Levels;
        }
    }

    /// <summary>Peak, RMS and clipped samples of a signal given a piece at a time (the same sums, in the same order, as at once).</summary>
    private sealed class LevelMeter(double clipLevel)
    {
        private double _peak;
        private double _energy;
        private long _clipped;
        private long _samples;

        public void Add(ReadOnlySpan<float> x)
        {
            foreach (var v in x)
            {
                double a = Math.Abs(v);
                _peak = Math.Max(_peak, a);
                _energy += a * a;
                if (a >= clipLevel)
                {
                    _clipped++;
                }
            }

            _samples += x.Length;
        }

        public Levels Levels =>
            new(
                20 * Math.Log10(_peak),
                20 * Math.Log10(_samples == 0 ? 0 : Math.Sqrt(_energy / _samples)),
                _clipped,
                _samples
            );
    }
}
