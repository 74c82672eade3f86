using Nsmt.Amp.Capture;
using Nsmt.Amp.Ingest;
using Nsmt.Audio;

namespace Nsmt.Amp.Tests;

/// <summary>Reading and aligning DI/reamp pairs: latency detection, checks, NAM's data rules and their errors.</summary>
public sealed class IngestTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nsmt-ingest-tests-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static float[] Di => AmpTestSignals.Capture.Samples;

    [Fact]
    public void Clicks_and_correlation_recover_an_injected_delay_exactly()
    {
        var pair = CapturePair.Load(Di, AmpTestSignals.PureDelay(Di, 123), 48000);
        var latency = pair.Report.Latency;

        Assert.True(pair.Report.StandardCaptureSignal);
        Assert.Equal([123, 123], latency.ClickDelays);
        Assert.Equal(123, latency.CorrelationLatency!.Value, 0.01);
        Assert.Equal(123, latency.CorrelationOnset);
        Assert.Equal(1.0, latency.CorrelationPeak!.Value, 6);
        Assert.Equal(LatencyMethod.Clicks, latency.Method);
        Assert.Equal(122, latency.Alignment.Latency); // minus the safety margin of 1
        Assert.True(pair.Report.ChecksPassed);

        // Aligned one sample early, the target is the input one sample late: causal for the model.
        for (var i = 1; i < pair.Input.Length; i += 997)
        {
            Assert.Equal(0.5f * pair.Input[i - 1], pair.Output[i]);
        }
    }

    [Fact]
    public void The_reference_amp_capture_passes_the_checks()
    {
        var pair = CapturePair.Load(Di, AmpTestSignals.Reamp(latency: 300), 48000);
        var report = pair.Report;

        // The response to a click starts a little after the interface latency (oversampling filters).
        Assert.InRange(report.Latency.Alignment.Latency, 300, 340);
        Assert.InRange(report.Latency.CorrelationLatency!.Value, 300, 360);
        Assert.False(report.Latency.Disagreement);
        Assert.Equal(0.0, report.ReplicateEsr!.Value, 12);
        Assert.True(report.ChecksPassed, report.ToText());
        Assert.Equal(AmpTestSignals.Capture.ValidationRepeatRange.Start, pair.ValidationRange.Start);
        Assert.Equal(AmpTestSignals.Capture.Layout.Train, pair.TrainRange);
        // The amp's linear-phase oversampling filters (36.5 samples) pre-ring: the loud clicks cross
        // the threshold a few samples before the bulk of the response rises, and the two detections
        // are more than a sample apart. That is said, and the earlier (safe) clicks are used.
        Assert.InRange(report.Latency.CorrelationOnset!.Value, 336, 340);
        Assert.Equal(LatencyMethod.Clicks, report.Latency.Method);
        Assert.True(report.Latency.CorrelationOnset > report.Latency.ClickLatency);
        Assert.Equal(
            ["differ by"],
            report.Warnings.Select(w => w.Contains("differ by", StringComparison.Ordinal) ? "differ by" : w)
        );
    }

    [Fact]
    public void Replicate_esr_is_the_nam_formula_on_the_two_validation_outputs()
    {
        var y = AmpTestSignals.PureDelay(Di, 100);
        var repeat = AmpTestSignals.Capture.ValidationRepeatRange;
        for (var i = repeat.Start + 100; i < repeat.End + 100; i++)
        {
            y[i] *= 0.9f;
        }

        var report = CapturePair.Load(Di, y, 48000).Report;

        // ESR(first, 0.9 * first) with the repeat as target = 0.1^2 / 0.9^2 = 0.012345679.
        Assert.Equal(0.01 / 0.81, report.ReplicateEsr!.Value, 6);
        Assert.True(report.ReplicateFlagged);
        Assert.False(report.ChecksPassed);
        Assert.Contains(report.Warnings, w => w.Contains("replicates differ", StringComparison.Ordinal));
    }

    [Fact]
    public void A_noisy_rig_is_flagged_by_the_replicate_check()
    {
        var report = CapturePair.Load(Di, AmpTestSignals.Reamp(latency: 50, noiseDbfs: -33), 48000).Report;

        Assert.True(report.ReplicateEsr > 0.01, $"replicate ESR {report.ReplicateEsr}");
        Assert.True(report.ReplicateFlagged);
    }

    [Fact]
    public void Disagreeing_detections_are_reported()
    {
        // Clicks answer after 100 samples, the guitar after 400: something is wrong with the capture.
        var y = AmpTestSignals.PureDelay(Di, 100);
        var late = AmpTestSignals.PureDelay(Di, 400);
        var guitarStart = AmpTestSignals.Capture.Sections.Single(s => s.Kind == CaptureSectionKind.Guitar).Range.Start;
        Array.Copy(late, guitarStart, y, guitarStart, y.Length - guitarStart);

        var latency = CapturePair.Load(Di, y, 48000).Report;

        Assert.Equal(100, latency.Latency.ClickLatency);
        Assert.Equal(400, latency.Latency.CorrelationOnset);
        Assert.True(latency.Latency.Disagreement);
        Assert.False(latency.ChecksPassed);
        Assert.Contains(latency.Warnings, w => w.Contains("differ by more than", StringComparison.Ordinal));
    }

    [Fact]
    public void Manual_latency_wins_and_detections_are_still_reported()
    {
        var pair = CapturePair.Load(
            Di,
            AmpTestSignals.PureDelay(Di, 123),
            48000,
            new IngestOptions { ManualLatency = 50 }
        );

        Assert.Equal(50, pair.Report.Latency.Alignment.Latency);
        Assert.Equal(LatencyMethod.Manual, pair.Report.Latency.Method);
        Assert.Equal(123, pair.Report.Latency.ClickLatency);
        Assert.Equal(0.5f * Di[1000 - 73], pair.Output[1000]);
    }

    [Fact]
    public void Arbitrary_recordings_use_correlation_and_hold_out_the_last_seconds()
    {
        var x = AmpTestSignals.Sine(48000 * 12, 220, 0.3);
        var noise = new Random(3);
        for (var i = 0; i < x.Length; i++)
        {
            x[i] += (float)(0.05 * (noise.NextDouble() - 0.5));
        }

        var pair = CapturePair.Load(
            x,
            AmpTestSignals.PureDelay(x, 700),
            48000,
            new IngestOptions { ValidationSeconds = 2 }
        );

        Assert.False(pair.Report.StandardCaptureSignal);
        Assert.Null(pair.Report.Latency.ClickDelays);
        Assert.Equal(700, pair.Report.Latency.CorrelationLatency!.Value, 0.01);
        Assert.Equal(LatencyMethod.CrossCorrelation, pair.Report.Latency.Method);
        Assert.Equal(700 - 1, pair.Report.Latency.Alignment.Latency); // a safety margin of 1 sample, as for clicks (issue 16)
        Assert.Equal(new SampleRange(pair.Input.Length - 96000, 96000), pair.ValidationRange);
        Assert.Equal(new SampleRange(0, pair.Input.Length - 96000), pair.TrainRange);
        Assert.Null(pair.Report.ReplicateEsr);
    }

    [Fact]
    public void Levels_are_never_normalised_and_input_gain_is_applied_and_recorded()
    {
        var y = AmpTestSignals.Reamp(latency: 10);
        var pair = CapturePair.Load(Di, y, 48000, new IngestOptions { InputGainDb = 6 });
        var latency = pair.Report.Latency.Alignment.Latency;

        Assert.Equal(6, pair.Report.InputGainDb);
        for (var i = 0; i < pair.Input.Length; i += 1009)
        {
            Assert.Equal((float)(Di[i] * Math.Pow(10, 6 / 20.0)), pair.Input[i]);
            Assert.Equal(y[i + latency], pair.Output[i]);
        }
    }

    [Fact]
    public void Rates_must_match_unless_resampling_is_asked_for()
    {
        var di = AudioBuffer.Mono(48000, Di);
        var reamp = AudioBuffer.Mono(44100, new float[(int)(Di.Length * 44100L / 48000) + 10]);

        var error = Assert.Throws<IngestException>(() => CapturePair.Load(di, reamp, null, "di.wav", "reamp.wav"));

        Assert.Equal("reamp.wav", error.FilePath);
        Assert.Equal("sample_rate", error.Field);
        Assert.Contains("48000 Hz", error.Message, StringComparison.Ordinal);
        Assert.Contains("44100 Hz", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reamp_at_another_rate_is_resampled_on_request()
    {
        var reamp44 = new Nsmt.Audio.Dsp.Resampler(48000, 44100).Process(AmpTestSignals.PureDelay(Di, 200));

        var pair = CapturePair.Load(
            AudioBuffer.Mono(48000, Di),
            AudioBuffer.Mono(44100, reamp44),
            new IngestOptions { Resample = true }
        );

        Assert.Equal(48000, pair.SampleRate);
        Assert.Equal("reamp 44100 Hz -> 48000 Hz", pair.Report.Resampling);
        // The resampler's pre-ringing makes a click's onset early; the correlation peak stays put.
        Assert.InRange(pair.Report.Latency.ClickLatency!.Value, 0, 201);
        Assert.InRange(pair.Report.Latency.CorrelationLatency!.Value, 199, 201);
    }

    [Fact]
    public void A_shorter_reamp_is_an_error_naming_both_lengths()
    {
        var error = Assert.Throws<IngestException>(() =>
            CapturePair.Load(Di, Di.AsSpan(0, Di.Length - 1000).ToArray(), 48000)
        );

        Assert.Equal("length", error.Field);
        Assert.Contains(
            Di.Length.ToString(System.Globalization.CultureInfo.InvariantCulture),
            error.Message,
            StringComparison.Ordinal
        );
        Assert.Contains(
            (Di.Length - 1000).ToString(System.Globalization.CultureInfo.InvariantCulture),
            error.Message,
            StringComparison.Ordinal
        );
    }

    [Fact]
    public void A_reamp_up_to_one_second_longer_is_trimmed_and_longer_is_an_error()
    {
        var longer = AmpTestSignals.PureDelay(Di, 48000);
        var pair = CapturePair.Load(Di, AmpTestSignals.PureDelay(Di, 100).Concat(new float[20000]).ToArray(), 48000);

        Assert.Equal(Di.Length + 20100, pair.Report.OutputFrames);
        Assert.Equal(20000 + 1, pair.Report.OutputFramesTrimmed);
        Assert.Equal(
            "length",
            Assert
                .Throws<IngestException>(() => CapturePair.Load(Di, longer.Concat(new float[10]).ToArray(), 48000))
                .Field
        );
    }

    [Fact]
    public void Silence_is_an_error_and_clipping_a_warning()
    {
        var silent = Assert.Throws<IngestException>(() => CapturePair.Load(Di, new float[Di.Length + 10], 48000));
        Assert.Equal("output", silent.FilePath);
        Assert.Contains("silence", silent.Message, StringComparison.Ordinal);

        var clipped = AmpTestSignals.PureDelay(Di, 100, gain: 2f);
        for (var i = 0; i < clipped.Length; i++)
        {
            clipped[i] = Math.Clamp(clipped[i], -1f, 1f);
        }

        long expected = clipped.Count(v => Math.Abs(v) >= 0.999f);
        var report = CapturePair.Load(Di, clipped, 48000).Report;
        Assert.True(expected > 0);
        Assert.Equal(expected, report.OutputClippedSamples);
        Assert.Contains(report.Warnings, w => w.Contains("clipped", StringComparison.Ordinal));
    }

    [Fact]
    public void A_reamp_dropout_while_the_di_plays_is_a_warning()
    {
        var y = AmpTestSignals.PureDelay(Di, 100);
        var guitar = AmpTestSignals.Capture.Sections.Single(s => s.Kind == CaptureSectionKind.Guitar).Range;
        Array.Clear(y, guitar.Start + 100, 48000);

        var report = CapturePair.Load(Di, y, 48000).Report;

        Assert.Contains(report.Warnings, w => w.Contains("silent for", StringComparison.Ordinal));
        Assert.DoesNotContain(CapturePair.Load(Di, AmpTestSignals.PureDelay(Di, 100), 48000).Report.Warnings, w =>
            w.Contains("silent for", StringComparison.Ordinal)
        );
    }

    [Fact]
    public void Non_finite_samples_are_an_error()
    {
        var y = AmpTestSignals.PureDelay(Di, 10);
        y[777] = float.NaN;

        var error = Assert.ThrowsAny<Nsmt.Core.NsmtInputException>(() => CapturePair.Load(Di, y, 48000));

        Assert.Equal("samples", error.Field);
        Assert.Contains("frame 777", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Stereo_files_are_averaged_or_one_channel_is_picked_and_the_report_says_which()
    {
        var y = AmpTestSignals.PureDelay(Di, 64);
        var other = new float[y.Length];
        var stereoReamp = new AudioBuffer(48000, [y, other]);
        var di = AudioBuffer.Mono(48000, Di);

        var averaged = CapturePair.Load(di, stereoReamp);
        var picked = CapturePair.Load(di, stereoReamp, new IngestOptions { Channel = 0 });

        Assert.Equal("average of 2 channels", averaged.Report.OutputChannelHandling);
        Assert.Equal("channel 1 of 2", picked.Report.OutputChannelHandling);
        Assert.Equal("mono", picked.Report.InputChannelHandling);
        var i = 50000;
        Assert.Equal(0.5f * y[i + averaged.Report.Latency.Alignment.Latency], averaged.Output[i]);
        Assert.Equal(y[i + picked.Report.Latency.Alignment.Latency], picked.Output[i]);
        Assert.Equal(
            "channels",
            Assert
                .Throws<IngestException>(() => CapturePair.Load(di, stereoReamp, new IngestOptions { Channel = 2 }))
                .Field
        );
    }

    [Fact]
    public void Files_are_read_and_errors_name_the_file()
    {
        var diPath = Path.Combine(_folder, "di.wav");
        var reampPath = Path.Combine(_folder, "reamp.wav");
        WavFile.Write(diPath, AudioBuffer.Mono(48000, Di), WavSampleFormat.Pcm24);
        WavFile.Write(reampPath, AudioBuffer.Mono(48000, AmpTestSignals.Reamp(latency: 77)), WavSampleFormat.Pcm24);

        var pair = CapturePair.Load(diPath, reampPath);
        var missing = Assert.Throws<IngestException>(() => CapturePair.Load(diPath, Path.Combine(_folder, "nope.wav")));

        Assert.Equal(diPath, pair.Report.InputName);
        Assert.True(pair.Report.StandardCaptureSignal);
        Assert.InRange(pair.Report.Latency.Alignment.Latency, 77, 117);
        Assert.Equal(Path.Combine(_folder, "nope.wav"), missing.FilePath);
        Assert.Equal("file", missing.Field);
    }

    [Fact]
    public void Too_short_an_arbitrary_recording_is_an_error()
    {
        var x = AmpTestSignals.Sine(48000 * 5, 220, 0.3);

        var error = Assert.Throws<IngestException>(() => CapturePair.Load(x, AmpTestSignals.PureDelay(x, 10), 48000));

        Assert.Equal("length", error.Field);
        Assert.Contains("10 s", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Scoring_a_test_recording_takes_every_aligned_sample_however_short()
    {
        // 5 s cannot hold NAM's 9 s validation plus 1 s to train on, but scoring trains nothing (issue 18).
        var x = AmpTestSignals.Sine(48000 * 5, 220, 0.3);
        var y = AmpTestSignals.PureDelay(x, 10);

        foreach (var scope in new[] { ValidationScope.Whole, ValidationScope.HeldOutIfCaptureSignal })
        {
            var pair = CapturePair.Load(x, y, 48000, new IngestOptions { Scope = scope });
            Assert.Equal(new SampleRange(0, pair.Input.Length), pair.ValidationRange);
            Assert.True(pair.TrainRange.IsEmpty);
            Assert.Equal(pair.Report.AlignedLength, pair.ValidationRange.Length);
        }
    }

    [Fact]
    public void Scoring_our_capture_signal_by_default_takes_its_held_out_passage_and_whole_on_request()
    {
        var reamp = AmpTestSignals.Reamp();
        var byDefault = CapturePair.Load(
            Di,
            reamp,
            48000,
            new IngestOptions { Scope = ValidationScope.HeldOutIfCaptureSignal }
        );
        Assert.Equal(AmpTestSignals.Capture.ValidationRepeatRange.Start, byDefault.ValidationRange.Start);
        Assert.False(byDefault.TrainRange.IsEmpty);

        var whole = CapturePair.Load(Di, reamp, 48000, new IngestOptions { Scope = ValidationScope.Whole });
        Assert.Equal(new SampleRange(0, whole.Input.Length), whole.ValidationRange);
        Assert.Equal(0.0, whole.Report.ReplicateEsr!.Value, 12); // the replicate check still runs
    }

    [Fact]
    public void Report_maps_to_nam_metadata()
    {
        var report = CapturePair.Load(Di, AmpTestSignals.PureDelay(Di, 123), 48000).Report;

        var latency = report.ToLatencyMetadata();

        Assert.Equal([123, 123], latency.Calibration!.Delays);
        Assert.Equal(122, latency.Calibration.Recommended);
        Assert.Equal(1, latency.Calibration.SafetyFactor);
        Assert.False(latency.Calibration.Warnings!.DisagreementTooHigh);
        Assert.True(report.ToDataChecks().Passed);
        Assert.Contains("latency used: 122 samples", report.ToText(), StringComparison.Ordinal);
    }
}
