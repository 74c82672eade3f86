using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Nsmt.Amp.Ingest;
using Nsmt.Audio;
using Nsmt.Core;

namespace Nsmt.Amp.Tests;

/// <summary>
/// Issue 23 item 13: a DI/reamp pair read a piece at a time into a scratch file (<see cref="CapturePair.LoadStreamed"/>)
/// is the pair read whole (<see cref="CapturePair.Load(string, string, IngestOptions?)"/>, the reference): the same
/// samples to the bit, the same ranges, latency, levels and warnings, and the same errors, on every path ingestion
/// takes (clicks, correlation over the loudest window, downmix, one channel, input gain, dropouts).
/// </summary>
public sealed class StreamedIngestTests : IDisposable
{
    private const int Rate = AmpTestSignals.Rate;

    private static readonly JsonSerializerOptions ReportJson = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private readonly string _folder = Directory.CreateTempSubdirectory("nsmt-streamed-ingest-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void The_capture_signal_streams_to_the_same_pair_clicks_and_gain_included()
    {
        // The reamp runs 700 samples past the DI (trimmed); 6 dB of input gain is applied in the scratch file.
        var reamp = AmpTestSignals.Reamp(latency: 300).Concat(new float[700]).ToArray();
        var (di, wet) = Write(Mono(AmpTestSignals.Capture.Samples), Mono(reamp));

        var report = AssertSameAsInMemory(di, wet, new IngestOptions { InputGainDb = 6 });

        Assert.True(report.StandardCaptureSignal);
        Assert.Equal(LatencyMethod.Clicks, report.Latency.Method);
        Assert.True(report.OutputFramesTrimmed > 0);
    }

    [Fact]
    public void Other_audio_over_many_pieces_streams_to_the_same_pair()
    {
        // 20 s of stereo that is no capture signal: the correlation searches the loudest window over pieces of the
        // scratch file, the downmix runs a piece at a time, and a dropout in the reamp is found across pieces.
        var left = Music(20 * Rate, seed: 3);
        var right = Music(20 * Rate, seed: 4);
        var mono = new AudioBuffer(Rate, [left, right]).Downmix();
        var wet = AmpTestSignals.PureDelay(mono, 77, gain: 0.7f);
        Array.Clear(wet, 11 * Rate, Rate / 2);
        var (di, reamp) = Write(new AudioBuffer(Rate, [left, right]), new AudioBuffer(Rate, [wet, wet]));

        var report = AssertSameAsInMemory(di, reamp);

        Assert.False(report.StandardCaptureSignal);
        Assert.Equal(LatencyMethod.CrossCorrelation, report.Latency.Method);
        Assert.Contains(report.Warnings, w => w.Contains("silent for", StringComparison.Ordinal));
        AssertSameAsInMemory(di, reamp, new IngestOptions { Channel = 1, ManualLatency = 70 });
    }

    [Fact]
    public void A_pair_that_needs_resampling_streams_to_the_same_pair()
    {
        // A reamp recorded at 44.1 kHz is resampled to the DI's 48 kHz a piece at a time (more than one piece of
        // the reamp's 10 s); then both files brought to 96 kHz, the capture layout dropped with its warning.
        var reamp44 = new Nsmt.Audio.Dsp.Resampler(Rate, 44_100).Process(AmpTestSignals.Reamp(latency: 200));
        var (di, wet) = Write(Mono(AmpTestSignals.Capture.Samples), AudioBuffer.Mono(44_100, reamp44));

        var report = AssertSameAsInMemory(di, wet, new IngestOptions { Resample = true, InputGainDb = -3 });
        var both = AssertSameAsInMemory(di, wet, new IngestOptions { Resample = true, TargetSampleRate = 96_000 });

        Assert.Equal("reamp 44100 Hz -> 48000 Hz", report.Resampling);
        Assert.True(report.StandardCaptureSignal);
        Assert.Equal("DI 48000 Hz -> 96000 Hz, reamp 44100 Hz -> 96000 Hz", both.Resampling);
        Assert.Contains(both.Warnings, w => w.Contains("capture layout", StringComparison.Ordinal));
    }

    [Fact]
    public void The_same_file_twice_is_warned_about_when_streamed()
    {
        var (di, _) = Write(Mono(Music(12 * Rate, seed: 9)), Mono([0.5f]));

        var report = AssertSameAsInMemory(di, di);

        Assert.Contains(report.Warnings, w => w.Contains("same samples", StringComparison.Ordinal));
    }

    [Fact]
    public void Streamed_errors_are_the_in_memory_errors()
    {
        var x = Music(10 * Rate, seed: 11);
        var nan = AmpTestSignals.PureDelay(x, 10);
        nan[300_001] = float.NaN; // in the fifth piece
        AssertSameError(Write(Mono(x), Mono(nan)));
        AssertSameError(Write(Mono(x), Mono(x.AsSpan(0, x.Length - 5).ToArray())));
        AssertSameError(Write(Mono(x), Mono(new float[x.Length + 3])));
        AssertSameError((Path.Combine(_folder, "missing.wav"), Write(Mono(x), Mono(x)).Reamp));
        AssertSameError(Write(Mono(x), Mono(x)), new IngestOptions { Channel = 1 });
        // Rates: a mismatch not asked to be resampled; a NaN in a reamp that would be resampled (found as read).
        var x44 = new Nsmt.Audio.Dsp.Resampler(Rate, 44_100).Process(x);
        AssertSameError(Write(Mono(x), AudioBuffer.Mono(44_100, x44)));
        var resample = new IngestOptions { Resample = true };
        AssertSameError(Write(Mono(x), AudioBuffer.Mono(44_100, x44.AsSpan(0, 400_000).ToArray())), resample);
        x44[200_000] = float.NaN;
        AssertSameError(Write(Mono(x), AudioBuffer.Mono(44_100, x44)), resample);
    }

    [Fact]
    public void Streaming_allocates_no_more_for_a_longer_recording()
    {
        // The reference (Load) allocates several copies of each signal; a streamed load allocates its pieces and the
        // correlation's window, whatever the length: 60 s more audio (23 MB of floats a signal) adds almost nothing.
        var shortPair = Write(Mono(Music(20 * Rate, seed: 1)), Mono(AmpTestSignals.PureDelay(Music(20 * Rate, 1), 40)));
        var longPair = Write(Mono(Music(80 * Rate, seed: 1)), Mono(AmpTestSignals.PureDelay(Music(80 * Rate, 1), 40)));
        long Allocated((string Di, string Reamp) pair)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            CapturePair.LoadStreamed(pair.Di, pair.Reamp, null, _folder).Signals.Dispose();
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Allocated(shortPair); // the first load's one-time costs (code, the FFT's tables) are not the recording's
        var forShort = Allocated(shortPair);
        var forLong = Allocated(longPair);
        AssertBounded(forShort, forLong);
    }

    [Fact]
    public void Streaming_a_pair_that_needs_resampling_allocates_no_more_for_a_longer_recording()
    {
        // Both files at 44.1 kHz brought to 48 kHz: the resampler holds its filter's span and a piece's outputs.
        static AudioBuffer At44(float[] x) => AudioBuffer.Mono(44_100, x);
        var shortPair = Write(At44(Music(20 * 44_100, 2)), At44(AmpTestSignals.PureDelay(Music(20 * 44_100, 2), 40)));
        var longPair = Write(At44(Music(80 * 44_100, 2)), At44(AmpTestSignals.PureDelay(Music(80 * 44_100, 2), 40)));
        var options = new IngestOptions { Resample = true, TargetSampleRate = Rate };
        long Allocated((string Di, string Reamp) pair)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            CapturePair.LoadStreamed(pair.Di, pair.Reamp, options, _folder).Signals.Dispose();
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Allocated(shortPair);
        AssertBounded(Allocated(shortPair), Allocated(longPair));
    }

    /// <summary>A load 60 s longer allocates less than a tenth of 60 s of one signal more.</summary>
    private static void AssertBounded(long forShort, long forLong)
    {
        var extraSignalBytes = 60L * Rate * sizeof(float);
        Assert.True(
            forLong - forShort < extraSignalBytes / 10,
            $"20 s: {forShort:N0} bytes allocated, 80 s: {forLong:N0} (60 s of one signal is {extraSignalBytes:N0})"
        );
    }

    /// <summary>Loads both ways; the streamed pair lives in a scratch file that leaves nothing in the folder.</summary>
    private IngestReport AssertSameAsInMemory(string di, string reamp, IngestOptions? options = null)
    {
        var reference = CapturePair.Load(di, reamp, options);
        var files = Directory.GetFiles(_folder).Length;
        var streamed = CapturePair.LoadStreamed(di, reamp, options, _folder);
        using (streamed.Signals)
        {
            Assert.True(streamed.Signals.IsSpilled);
            Assert.Equal(
                JsonSerializer.Serialize(reference.Report, ReportJson),
                JsonSerializer.Serialize(streamed.Report, ReportJson)
            );
            Assert.Equal(reference.SampleRate, streamed.SampleRate);
            Assert.Equal(reference.Layout?.Validation, streamed.Layout?.Validation);
            Assert.Equal(reference.Layout?.ClickPositions, streamed.Layout?.ClickPositions);
            AssertBitEqual(reference.Input, streamed.Input);
            AssertBitEqual(reference.Output, streamed.Output);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(files, Directory.GetFiles(_folder).Length); // unlinked at once
            }
        }

        return streamed.Report;
    }

    private static void AssertBitEqual(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        Assert.True(MemoryMarshal.AsBytes(expected.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(actual.AsSpan())));
    }

    private void AssertSameError((string Di, string Reamp) pair, IngestOptions? options = null)
    {
        var files = Directory.GetFiles(_folder).Length;
        var expected = Assert.ThrowsAny<NsmtInputException>(() => CapturePair.Load(pair.Di, pair.Reamp, options));
        var actual = Assert.ThrowsAny<NsmtInputException>(() =>
            CapturePair.LoadStreamed(pair.Di, pair.Reamp, options, _folder)
        );
        Assert.Equal(expected.Message, actual.Message);
        Assert.Equal(files, Directory.GetFiles(_folder).Length);
    }

    private (string Di, string Reamp) Write(AudioBuffer di, AudioBuffer reamp)
    {
        var name = Guid.NewGuid().ToString("N")[..8];
        var (diPath, reampPath) = (Path.Combine(_folder, $"di-{name}.wav"), Path.Combine(_folder, $"reamp-{name}.wav"));
        WavFile.Write(diPath, di);
        WavFile.Write(reampPath, reamp);
        return (diPath, reampPath);
    }

    private static AudioBuffer Mono(float[] samples) => AudioBuffer.Mono(Rate, samples);

    /// <summary>Seeded noise under a slow, uneven envelope: audio with a loudest stretch somewhere in the middle.</summary>
    private static float[] Music(int length, int seed)
    {
        var random = new Random(seed);
        var x = new float[length];
        for (var i = 0; i < length; i++)
        {
            var envelope = 0.2 + (0.15 * Math.Sin(2 * Math.PI * i / (3.7 * Rate))) + (0.1 * Math.Sin(i / (1.3 * Rate)));
            x[i] = (float)(envelope * ((2 * random.NextDouble()) - 1));
        }

        return x;
    }
}
