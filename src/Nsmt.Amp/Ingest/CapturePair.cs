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
    private CapturePair(float[] input, float[] output, int sampleRate, CaptureLayout? layout, IngestReport report)
    {
        Input = input;
        Output = output;
        SampleRate = sampleRate;
        Layout = layout;
        Report = report;
    }

    /// <summary>The DI, aligned: Input[i] produced Output[i].</summary>
    public float[] Input { get; }

    public float[] Output { get; }

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

        var rate = CheckSampleRates(input, output, options, names);
        var inputHandling = ChannelHandling(input, options.Channel, inputName);
        var outputHandling = ChannelHandling(output, options.Channel, outputName);
        var x = ToMono(input, options.Channel);
        var y = ToMono(output, options.Channel);
        FiniteSamples.Require(x, inputName);
        FiniteSamples.Require(y, outputName);
        var layout = RecogniseLayout(x, input.SampleRate, options, inputName);
        var resampling = ResampleTo(rate, input.SampleRate, output.SampleRate, ref x, ref y);
        warnings.AddRange(DropLayoutIfResampled(ref layout, input.SampleRate, rate));

        var inputLevels = Levels.Measure(x, options.ClipLevel);
        var outputLevels = Levels.Measure(y, options.ClipLevel);
        CheckNotSilent(inputLevels, outputLevels, options, names);
        warnings.AddRange(ClippingWarnings(inputLevels, outputLevels, options));
        CheckLengths(x.Length, y.Length, rate, options, names);
        if (x.Length <= y.Length && y.AsSpan(0, x.Length).SequenceEqual(x))
        {
            warnings.Add(
                $"the reamp {outputName} holds the same samples as the DI {inputName} (the same file twice?): there is no amp in it to learn"
            );
        }

        ApplyInputGain(x, options.InputGainDb);

        var latency = ChooseLatency(x, y, layout, options, warnings, outputName);
        var alignment = Align(x, y, latency.Alignment.Latency, outputName);
        warnings.AddRange(DropoutWarnings(alignment, rate));
        var split = SplitValidation(y, layout, alignment, rate, options, inputName);
        warnings.AddRange(split.Warnings);
        warnings.AddRange(ReplicateWarnings(split.ReplicateEsr, options));

        var report = new IngestReport
        {
            InputName = inputName,
            OutputName = outputName,
            SampleRate = rate,
            InputFileSampleRate = input.SampleRate,
            OutputFileSampleRate = output.SampleRate,
            Resampling = resampling,
            InputChannels = input.ChannelCount,
            OutputChannels = output.ChannelCount,
            InputChannelHandling = inputHandling,
            OutputChannelHandling = outputHandling,
            InputFrames = input.Length,
            OutputFrames = output.Length,
            OutputFramesTrimmed = alignment.Trimmed,
            InputGainDb = options.InputGainDb,
            StandardCaptureSignal = layout is not null,
            Latency = latency,
            ReplicateEsr = split.ReplicateEsr,
            ReplicateFlagged = split.ReplicateEsr > options.ReplicateEsrThreshold,
            AlignedLength = alignment.Length,
            ValidationRange = split.Validation,
            TrainRange = split.Train,
            InputPeakDbfs = inputLevels.PeakDbfs,
            OutputPeakDbfs = outputLevels.PeakDbfs,
            InputRmsDbfs = inputLevels.RmsDbfs,
            OutputRmsDbfs = outputLevels.RmsDbfs,
            InputClippedSamples = inputLevels.Clipped,
            OutputClippedSamples = outputLevels.Clipped,
            Warnings = warnings,
        };
        return new CapturePair(alignment.Input, alignment.Output, rate, layout, report);
    }

    private readonly record struct PairNames(string Input, string Output);

    /// <summary>The aligned signals: output sample i answers input sample i.</summary>
    private sealed record AlignedSignals(float[] Input, float[] Output, int Latency, int InputStart, int Trimmed)
    {
        public int Length => Input.Length;
    }

    private sealed record ValidationSplit(
        SampleRange Validation,
        SampleRange Train,
        double? ReplicateEsr,
        IReadOnlyList<string> Warnings
    );

    /// <summary>Sample rates: equal, or resampled on request (never silently). Returns the rate to work at.</summary>
    private static int CheckSampleRates(AudioBuffer input, AudioBuffer output, IngestOptions options, PairNames names)
    {
        var rate = options.TargetSampleRate ?? input.SampleRate;
        if (output.SampleRate != input.SampleRate && !options.Resample)
        {
            throw new IngestException(
                names.Output,
                "sample_rate",
                $"{input.SampleRate} Hz (the DI's rate; or ask for resampling)",
                $"{output.SampleRate} Hz"
            );
        }

        if (rate != input.SampleRate && !options.Resample)
        {
            throw new IngestException(
                names.Input,
                "sample_rate",
                $"{rate} Hz (the target rate; or ask for resampling)",
                $"{input.SampleRate} Hz"
            );
        }

        return rate;
    }

    /// <summary>The capture layout, recognised on the DI as written (before any gain or resampling), or given and checked.</summary>
    private static CaptureLayout? RecogniseLayout(float[] x, int inputRate, IngestOptions options, string inputName)
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
        if (inputRate == rate && outputRate == rate)
        {
            return null;
        }

        var parts = new List<string>();
        if (inputRate != rate)
        {
            x = new Resampler(inputRate, rate).Process(x);
            parts.Add($"DI {inputRate} Hz -> {rate} Hz");
        }

        if (outputRate != rate)
        {
            y = new Resampler(outputRate, rate).Process(y);
            parts.Add($"reamp {outputRate} Hz -> {rate} Hz");
        }

        return string.Join(", ", parts);
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

    private static void ApplyInputGain(float[] x, double gainDb)
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
    private static AlignedSignals Align(float[] x, float[] y, int latency, string outputName)
    {
        var inputStart = Math.Max(0, -latency);
        var outputStart = Math.Max(0, latency);
        var aligned = Math.Min(x.Length - inputStart, y.Length - outputStart);
        if (aligned <= 0)
        {
            throw new IngestException(
                outputName,
                "latency",
                $"less than the {x.Length} frames of audio",
                $"{latency} samples"
            );
        }

        return new AlignedSignals(
            x.AsSpan(inputStart, aligned).ToArray(),
            y.AsSpan(outputStart, aligned).ToArray(),
            latency,
            inputStart,
            y.Length - outputStart - aligned
        );
    }

    private static IEnumerable<string> DropoutWarnings(AlignedSignals alignment, int rate)
    {
        if (Dropouts(alignment.Input, alignment.Output, rate) is { Count: > 0 } dropouts)
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
        float[] y,
        CaptureLayout? layout,
        AlignedSignals alignment,
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
        float[] x,
        float[] y,
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
    private static double? ReplicateEsr(float[] y, CaptureLayout layout, int latency)
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
            y.AsSpan(layout.Validation.Start + latency + from, count),
            y.AsSpan(layout.ValidationRepeat.Start + latency + from, count)
        );
    }

    /// <summary>Starts of 100 ms windows where the DI plays (above -50 dBFS RMS) but the reamp is silent (below -80 dBFS RMS).</summary>
    private static List<int> Dropouts(float[] input, float[] output, int rate)
    {
        var window = rate / 10;
        var starts = new List<int>();
        for (var start = 0; start + window <= input.Length; start += window)
        {
            double inputEnergy = 0,
                outputEnergy = 0;
            for (var i = start; i < start + window; i++)
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
        if (!File.Exists(path))
        {
            throw new IngestException(path, "file", "an existing WAV file", "no such file");
        }

        return WavFile.Read(path);
    }

    private static string ChannelHandling(AudioBuffer audio, int? channel, string name)
    {
        if (audio.ChannelCount == 1)
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
            return c < audio.ChannelCount
                ? $"channel {c + 1} of {audio.ChannelCount}"
                : throw new IngestException(
                    name,
                    "channels",
                    $"a channel index below {audio.ChannelCount}",
                    $"channel {c}"
                );
        }

        return $"average of {audio.ChannelCount} channels";
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

    private readonly record struct Levels(double PeakDbfs, double RmsDbfs, long Clipped)
    {
        public static Levels Measure(float[] x, double clipLevel)
        {
            double peak = 0,
                energy = 0;
            long clipped = 0;
            foreach (var v in x)
            {
                double a = Math.Abs(v);
                peak = Math.Max(peak, a);
                energy += a * a;
                if (a >= clipLevel)
                {
                    clipped++;
                }
            }

            var rms = x.Length == 0 ? 0 : Math.Sqrt(energy / x.Length);
            return new Levels(20 * Math.Log10(peak), 20 * Math.Log10(rms), clipped);
        }
    }
}
