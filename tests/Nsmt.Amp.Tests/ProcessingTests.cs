using System.Text.Json.Nodes;
using Nsmt.Amp.Architectures;
using Nsmt.Amp.Engine;
using Nsmt.Amp.Format;
using Nsmt.Amp.Processing;
using Nsmt.Audio;

namespace Nsmt.Amp.Tests;

/// <summary>Offline and streaming file processing: chunking, resampling, levels, bad models.</summary>
public sealed class ProcessingTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nsmt-processing-tests-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Chunked_processing_gives_the_samples_of_one_pass()
    {
        var model = TestModels.Random(NamPresets.WaveNet(WaveNetPreset.Nano));
        var input = TestModels.Signal(30000);
        var onePass = NamOfflineProcessor.Process(model, input);

        var processor = new ChunkedNamProcessor(model, maxChunk: 3000);
        var output = new float[input.Length];
        int[] pieces = [1, 7, 500, 4093, 2999, 3000, 3001, 10000];
        var start = 0;
        for (var k = 0; start < input.Length; k++)
        {
            var count = Math.Min(pieces[k % pieces.Length], input.Length - start);
            processor.Process(input.AsSpan(start, count), output.AsSpan(start, count));
            start += count;
        }

        TestModels.AssertClose(onePass.Select(v => (double)v).ToArray(), output, 1e-6);
    }

    [NamFixtureTheory]
    [InlineData("wavenet_a1_standard.nam", "wavenet_a1_standard.expected.wav", 1000)]
    [InlineData("lstm.nam", "lstm.expected.wav", 777)]
    public void Chunked_processing_reproduces_nam_core(string modelFile, string expectedFile, int chunk)
    {
        var model = NamFile.Load(NamFixtures.PathOf(modelFile));
        var input = NamFixtures.ReadMono("input_48k_f32.wav");
        var expected = NamFixtures.ReadMono(expectedFile);

        var output = new float[input.Length];
        var processor = new ChunkedNamProcessor(model, maxChunk: chunk);
        for (var start = 0; start < input.Length; start += 12345)
        {
            var count = Math.Min(12345, input.Length - start);
            processor.Process(input.AsSpan(start, count), output.AsSpan(start, count));
        }

        TestModels.AssertClose(expected.Select(v => (double)v).ToArray(), output, 1e-5);
    }

    [NamFixtureFact]
    public void Streaming_mode_matches_nam_core_with_fast_tanh()
    {
        var model = NamFile.Load(NamFixtures.PathOf("wavenet_a1_standard.nam"));
        var input = NamFixtures.ReadMono("input_48k_f32.wav");
        var expected = NamFixtures.ReadMono("wavenet_a1_standard.fasttanh.expected.wav");

        var output = AmpProcessor.Process(
            model,
            input,
            48000,
            new ProcessingOptions { BlockSize = 64, TanhMode = TanhMode.Fast }
        );

        TestModels.AssertClose(expected.Select(v => (double)v).ToArray(), output, 1e-5);
    }

    [NamFixtureFact]
    public void Input_at_another_rate_is_processed_as_the_model_would_at_its_own_rate()
    {
        // A periodic 300 Hz input: 147 samples per period at 44.1 kHz, 160 at 48 kHz. Processing at
        // 44.1 kHz (resampled to 48 kHz and back) must give the same harmonics, below the
        // resampler's pass band edge, as processing the same sine natively at 48 kHz.
        var core = NamFile.Load(NamFixtures.PathOf("wavenet_a1_standard.nam"));
        var model = new NamModel(core.Config, core.Weights, 48000);
        var at44 = AmpProcessor.Process(model, AmpTestSignals.Sine(44100, 300, 0.3, 44100), 44100);
        var at48 = AmpProcessor.Process(model, AmpTestSignals.Sine(48000, 300, 0.3, 48000), 48000);

        var (re44, im44) = Harmonics(at44.AsSpan(44100 / 2, 147 * 100), 147);
        var (re48, im48) = Harmonics(at48.AsSpan(48000 / 2, 160 * 100), 160);
        var fundamental = Math.Sqrt((re48[1] * re48[1]) + (im48[1] * im48[1]));
        Assert.True(fundamental > 1e-3, $"fundamental {fundamental}");
        for (var k = 1; k * 300 <= 19000; k++)
        {
            var difference = Math.Sqrt(Math.Pow(re44[k] - re48[k], 2) + Math.Pow(im44[k] - im48[k], 2));
            Assert.True(
                difference < 1e-3 * fundamental,
                $"harmonic {k} ({k * 300} Hz) differs by {difference / fundamental:G3} of the fundamental"
            );
        }
    }

    [Fact]
    public void Files_are_processed_per_channel_with_levels_reported_never_rescaled()
    {
        var small = TestModels.Random(NamPresets.WaveNet(WaveNetPreset.Nano));
        // Core uses the last weight as the output scale: make the model loud enough to exceed full scale.
        var weights = (float[])small.Weights.Clone();
        weights[^1] *= 400;
        var loud = new NamModel(small.Config, weights, 48000);
        var left = TestModels.Signal(20000);
        var right = TestModels.Signal(20000, seed: 4).Select(v => 0.3f * v).ToArray();
        var input = Path.Combine(_folder, "in.wav");
        WavFile.Write(input, new AudioBuffer(48000, [left, right]), WavSampleFormat.Float32);

        var floatPath = Path.Combine(_folder, "out_float.wav");
        var pcmPath = Path.Combine(_folder, "out_pcm24.wav");
        var floatReport = AmpProcessor.ProcessFile(loud, input, floatPath);
        var pcmReport = AmpProcessor.ProcessFile(
            loud,
            input,
            pcmPath,
            new ProcessingOptions { OutputFormat = WavSampleFormat.Pcm24 }
        );
        var written = WavFile.Read(floatPath);
        var expectedLeft = NamOfflineProcessor.Process(loud, left);
        var expectedRight = NamOfflineProcessor.Process(loud, right);

        Assert.Equal(2, written.ChannelCount);
        TestModels.AssertClose(expectedLeft.Select(v => (double)v).ToArray(), written.Channels[0], 1e-6);
        TestModels.AssertClose(expectedRight.Select(v => (double)v).ToArray(), written.Channels[1], 1e-6);
        var above = expectedLeft.Concat(expectedRight).LongCount(v => Math.Abs(v) > 1);
        Assert.True(above > 0, "the test model should exceed full scale");
        Assert.Equal(above, floatReport.SamplesAboveFullScale);
        Assert.Equal(0, floatReport.ClippedInFile);
        Assert.Equal(above, pcmReport.ClippedInFile);
        Assert.Contains(floatReport.Warnings, w => w.Contains("exceed full scale", StringComparison.Ordinal));
        Assert.Equal(20 * Math.Log10(expectedLeft.Concat(expectedRight).Max(Math.Abs)), floatReport.OutputPeakDbfs, 6);
    }

    [Fact]
    public void Rate_mismatch_without_resampling_is_an_error()
    {
        var model = TestModels.Random(NamPresets.WaveNet(WaveNetPreset.Nano));

        var error = Assert.Throws<ArgumentException>(() =>
            AmpProcessor.Process(model, new float[1000], 44100, new ProcessingOptions { AllowResampling = false })
        );

        Assert.Contains("48000 Hz", error.Message, StringComparison.Ordinal);
        Assert.Contains("44100 Hz", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("nan")]
    [InlineData("overflow")]
    [InlineData("count")]
    public void Broken_model_files_are_refused_with_the_file_and_field(string breakage)
    {
        var json = JsonNode
            .Parse(NamFile.Serialize(TestModels.Random(NamPresets.WaveNet(WaveNetPreset.Nano))))!
            .AsObject();
        var text = json.ToJsonString();
        var weights = json["weights"]!.ToJsonString();
        var firstWeight = json["weights"]![0]!.ToJsonString();
        text = breakage switch
        {
            "truncated" => text[..(text.Length / 2)],
            "nan" => text.Replace(weights, "[NaN" + weights[(1 + firstWeight.Length)..], StringComparison.Ordinal),
            "overflow" => text.Replace(
                weights,
                "[1e999" + weights[(1 + firstWeight.Length)..],
                StringComparison.Ordinal
            ),
            _ => text.Replace(weights, "[" + weights[(2 + firstWeight.Length)..], StringComparison.Ordinal),
        };
        var modelPath = Path.Combine(_folder, $"{breakage}.nam");
        File.WriteAllText(modelPath, text);
        var input = Path.Combine(_folder, "in.wav");
        WavFile.Write(input, AudioBuffer.Mono(48000, TestModels.Signal(1000)), WavSampleFormat.Float32);
        var output = Path.Combine(_folder, "out.wav");

        var error = Assert.Throws<NamFormatException>(() => AmpProcessor.ProcessFile(modelPath, input, output));

        Assert.Equal(modelPath, error.FilePath);
        Assert.Contains(modelPath, error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
        var expectedField = breakage switch
        {
            "truncated" or "nan" => "(json)",
            "overflow" => "weights[0]",
            _ => "weights",
        };
        Assert.Equal(expectedField, error.Field);
    }

    /// <summary>DFT bins at the harmonics of a signal holding a whole number of periods of <paramref name="period"/> samples.</summary>
    private static (double[] Re, double[] Im) Harmonics(ReadOnlySpan<float> x, int period)
    {
        var count = 64;
        var re = new double[count];
        var im = new double[count];
        for (var k = 1; k < count; k++)
        {
            for (var n = 0; n < x.Length; n++)
            {
                var angle = 2 * Math.PI * k * n / period;
                re[k] += x[n] * Math.Cos(angle);
                im[k] -= x[n] * Math.Sin(angle);
            }

            re[k] *= 2.0 / x.Length;
            im[k] *= 2.0 / x.Length;
        }

        return (re, im);
    }
}
