using Nsmt.Amp.Capture;
using Nsmt.Amp.Ingest;
using Nsmt.Amp.Training.Data;
using Nsmt.Audio;
using Nsmt.Neural.IO;
using Nsmt.Runs;

namespace Nsmt.Amp.Training.Tests;

/// <summary>
/// Issue 23 item 13: training memory does not grow with the recording's length. The loaded pair is spilled to a
/// scratch file and read a window at a time, with the same floats, so the weights are the same.
/// </summary>
[Collection(MemoryCollection.Name)]
public sealed class SpilledSignalsTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"nsmt-spill-{Guid.NewGuid():N}");

    public SpilledSignalsTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Loaded_training_data_does_not_keep_the_recording_in_memory()
    {
        // 60 s at 48 kHz: the aligned pair alone is 23 MB of floats (main kept it, and more, for the whole run).
        var settings = new Config.DataSettings
        {
            SampleRate = 48_000,
            Seconds = 60,
            ValidationSeconds = 1,
        };
        // A short load first: what the first one sets up once (the amp's filters, the types) is not the recording.
        AmpDataLoader.Load(settings with { Seconds = 8 }, scratchDirectory: _root).Signals.Dispose();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var data = AmpDataLoader.Load(settings, scratchDirectory: _root);
        var retained = GC.GetTotalMemory(forceFullCollection: true) - before;
        var pairBytes = 2L * sizeof(float) * 48_000 * 60;
        // Main kept the aligned pair (all of pairBytes) and more; what stays now is the report, metadata and caches.
        Assert.True(
            retained < pairBytes / 2,
            $"the loaded data keeps {retained:N0} bytes on the heap (the pair is {pairBytes:N0})"
        );
        // It is all there, read back from the scratch file.
        Assert.Equal(data.Validation.End, data.Signals.Length);
        Assert.True(data.Signals.Length > 59 * 48_000);
        GC.KeepAlive(data);
        data.Signals.Dispose();
    }

    [Fact]
    public void A_spilled_pair_reads_back_the_floats_it_was_given_and_leaves_no_file()
    {
        var random = new Random(7);
        var input = Enumerable.Range(0, 5000).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var output = input.Select(v => MathF.Tanh(3 * v)).ToArray();
        using (var spilled = AlignedSignals.Spill(input, output, _root))
        {
            Assert.Equal(5000, spilled.Length);
            Assert.Equal(input.AsSpan(1234, 777).ToArray(), spilled.Input.Read(1234, 777));
            Assert.Equal(output.AsSpan(4000, 1000).ToArray(), spilled.Output.Read(4000, 1000));
            Assert.Equal(output, spilled.Output.Read(0, 5000));
            Assert.Throws<ArgumentOutOfRangeException>(() => spilled.Output.Read(4001, 1000));
            Assert.Throws<ArgumentOutOfRangeException>(() => spilled.Input.Read(-1, 10));
            // The window dataset gives the same batches from either.
            var fromMemory = new WindowDataset(
                input,
                output,
                new SampleRange(0, 5000),
                ny: 100,
                context: 30,
                lookahead: 2
            );
            var fromDisk = new WindowDataset(spilled, new SampleRange(0, 5000), ny: 100, context: 30, lookahead: 2);
            int[] indices = [5, 0, 47];
            var (x1, y1) = fromMemory.Batch(indices);
            var (x2, y2) = fromDisk.Batch(indices);
            using (x1)
            using (y1)
            using (x2)
            using (y2)
            {
                Assert.Equal(x1.data<float>().ToArray(), x2.data<float>().ToArray());
                Assert.Equal(y1.data<float>().ToArray(), y2.data<float>().ToArray());
            }

            if (!OperatingSystem.IsWindows())
            {
                Assert.Empty(Directory.GetFiles(_root)); // unlinked at once: a killed run leaves nothing behind
            }
        }

        Assert.Empty(Directory.GetFiles(_root));
    }

    [Fact]
    public void Training_on_the_spilled_pair_gives_the_same_weights_as_in_memory()
    {
        var config = TrainingTests.SmallConfig("wavenet", "model.preset=nano", "training.epochs=2");
        var inMemory = TrainingTests.SyntheticData();
        using var spilled = inMemory.Spill(_root).Signals;
        var onDisk = new AmpTrainingData(spilled, inMemory.SampleRate, inMemory.Train, inMemory.Validation);
        new AmpTrainer(config, inMemory, RunDirectory.At(Path.Combine(_root, "memory"))).Run();
        new AmpTrainer(config, onDisk, RunDirectory.At(Path.Combine(_root, "disk"))).Run();
        AssertSameCheckpoints("memory", "disk");
    }

    [Fact]
    public void Files_streamed_into_the_scratch_file_train_the_same_weights_as_files_read_whole()
    {
        // A capture and its reamp as files: AmpDataLoader.Load streams them into a scratch file a piece at a time
        // (issue 23 item 13: loading, too, stays bounded), FromFiles reads them whole, as main's loader did.
        var reference = new Config.DataSettings
        {
            SampleRate = 48_000,
            Seconds = 8,
            ValidationSeconds = 1,
        };
        var capture = CaptureSignal.Generate(reference.CaptureOptions());
        var reamp = new Amp.ReferenceAmp.ReferenceAmp(reference.AmpOptions() with { LatencySamples = 45 }).Process(
            capture.Samples
        );
        var (di, wet) = (Path.Combine(_root, "di.wav"), Path.Combine(_root, "reamp.wav"));
        WavFile.Write(di, AudioBuffer.Mono(48_000, capture.Samples));
        WavFile.Write(wet, AudioBuffer.Mono(48_000, reamp.Concat(new float[100]).ToArray()));
        var files = reference with { Source = Config.DataSource.Files, DiPath = di, ReampPath = wet, InputGainDb = 3 };

        var whole = AmpDataLoader.FromFiles(files);
        var streamed = AmpDataLoader.Load(files, scratchDirectory: _root);
        using var scratch = streamed.Signals;

        Assert.True(streamed.Signals.IsSpilled);
        Assert.Equal(whole.Description, streamed.Description);
        Assert.Equal((whole.Train, whole.Validation), (streamed.Train, streamed.Validation));
        Assert.Equal(whole.Alignment, streamed.Alignment);
        Assert.Equal(whole.Warnings, streamed.Warnings);
        Assert.Equal(whole.Input, streamed.Input);
        Assert.Equal(whole.Output, streamed.Output);
        var config = TrainingTests.SmallConfig("wavenet", "model.preset=nano", "training.epochs=2");
        new AmpTrainer(config, whole, RunDirectory.At(Path.Combine(_root, "whole"))).Run();
        new AmpTrainer(config, streamed, RunDirectory.At(Path.Combine(_root, "streamed"))).Run();
        AssertSameCheckpoints("whole", "streamed");
    }

    [Fact]
    public void Knob_recordings_stream_into_scratch_files_with_the_whole_reads_samples_and_errors()
    {
        // The knob capture plan's per-setting recordings, one of them at 44.1 kHz (resampled as it streams): each
        // capture is the in-memory ingestion of its file with the first recording's latency, bit for bit.
        var data = new Config.DataSettings
        {
            SampleRate = 16_000,
            Seconds = 7,
            ValidationSeconds = 1,
        };
        var capture = CaptureSignal.Generate(data.CaptureOptions());
        var di = Path.Combine(_root, "di.wav");
        WavFile.Write(di, AudioBuffer.Mono(16_000, capture.Samples));
        string Reamp(double gainDb, int rate)
        {
            var amp = new Amp.ReferenceAmp.ReferenceAmp(
                data.AmpOptions() with
                {
                    GainDb = gainDb,
                    LatencySamples = 30,
                }
            );
            var path = Path.Combine(_root, $"gain{gainDb}.wav");
            var wet = amp.Process(capture.Samples);
            var samples = rate == 16_000 ? wet : new Nsmt.Audio.Dsp.Resampler(16_000, rate).Process(wet);
            WavFile.Write(path, AudioBuffer.Mono(rate, samples.Concat(new float[rate / 100]).ToArray()));
            return path;
        }

        var recordings = new[] { Reamp(0, 16_000), Reamp(12, 44_100) };
        string Yaml(params string[] paths) =>
            $$"""
                seed: 0
                data:
                  source: files
                  di: {{di}}
                  resample: true
                  validation_seconds: 1
                  ny: 256
                model:
                  type: lstm
                  preset: nano
                knobs:
                  cell: gru
                  recordings:
                {{string.Join("\n", paths.Select((path, i) => $"    - {path} gain_db={i * 12}"))}}
                """;
        var config = Knobs.KnobTrainConfig.Parse(Yaml(recordings), Path.Combine(_root, "knobs.yaml"));

        var captures = Knobs.KnobCaptureSet.Load(config, _root);
        var latency = captures[0].Data.Latency?.Calibration?.Recommended;
        try
        {
            Assert.All(captures, c => Assert.True(c.Data.Signals.IsSpilled));
            Assert.NotNull(latency);
            for (var i = 0; i < recordings.Length; i++)
            {
                var whole = AmpDataLoader.FromFiles(
                    config.Amp.Data with
                    {
                        ReampPath = recordings[i],
                        Latency = i == 0 ? null : latency,
                    }
                );
                Assert.Equal(whole.Description, captures[i].Data.Description);
                Assert.Equal((whole.Train, whole.Validation), (captures[i].Data.Train, captures[i].Data.Validation));
                Assert.Equal(whole.Warnings, captures[i].Data.Warnings);
                AssertBitEqual(whole.Input, captures[i].Data.Input);
                AssertBitEqual(whole.Output, captures[i].Data.Output);
            }
        }
        finally
        {
            foreach (var c in captures)
            {
                c.Data.Signals.Dispose();
            }
        }

        // A recording refused after others were read: the same error as read whole, and no scratch file left behind.
        var silent = Path.Combine(_root, "silent.wav");
        WavFile.Write(silent, AudioBuffer.Mono(16_000, new float[capture.Samples.Length + 100]));
        var bad = Knobs.KnobTrainConfig.Parse(Yaml(recordings[0], silent), Path.Combine(_root, "bad.yaml"));
        var expected = Assert.ThrowsAny<Exception>(() =>
            AmpDataLoader.FromFiles(bad.Amp.Data with { ReampPath = silent, Latency = latency })
        );
        var files = Directory.GetFiles(_root).Length;
        var actual = Assert.ThrowsAny<Exception>(() => Knobs.KnobCaptureSet.Load(bad, _root));
        Assert.Equal(expected.Message, actual.Message);
        Assert.Equal(files, Directory.GetFiles(_root).Length);
    }

    private static void AssertBitEqual(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        Assert.True(
            System
                .Runtime.InteropServices.MemoryMarshal.AsBytes(expected.AsSpan())
                .SequenceEqual(System.Runtime.InteropServices.MemoryMarshal.AsBytes(actual.AsSpan()))
        );
    }

    private void AssertSameCheckpoints(string first, string second)
    {
        var (a, _) = SafeTensors.Load(Path.Combine(_root, first, "checkpoints", "last.ckpt"));
        var (b, _) = SafeTensors.Load(Path.Combine(_root, second, "checkpoints", "last.ckpt"));
        foreach (var (name, tensor) in a.Where(kv => !kv.Key.StartsWith("rng/", StringComparison.Ordinal)))
        {
            Assert.Equal(tensor.bytes.ToArray(), b[name].bytes.ToArray());
        }

        var esr = (string run) =>
            MetricsCsvLogger.Read(Path.Combine(_root, run, "metrics.csv")).Select(r => r["val/esr"]);
        Assert.Equal(esr(first), esr(second));
    }
}

/// <summary>Tests that measure the managed heap run alone: another test's allocations would count as theirs.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryCollection
{
    public const string Name = "memory";
}
