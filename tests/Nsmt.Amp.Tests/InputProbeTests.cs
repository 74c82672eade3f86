using System.Text;
using Nsmt.Amp.Architectures;
using Nsmt.Amp.Capture;
using Nsmt.Amp.Format;
using Nsmt.Amp.Ingest;
using Nsmt.Amp.Processing;
using Nsmt.Amp.Stage;
using Nsmt.Audio;
using Nsmt.Core;

namespace Nsmt.Amp.Tests;

/// <summary>
/// Cases a bad-input probe found handled wrongly (issue 23: items 18 and 24, and the .nam byte order mark), each
/// built as a user meets it.
/// </summary>
public sealed class InputProbeTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nsmt-amp-probe-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static float[] Di => AmpTestSignals.Capture.Samples;

    private string Model()
    {
        var model = Path.Combine(_folder, "model.nam");
        NamFile.Save(TestModels.Random(NamPresets.Lstm(LstmPreset.Nano)), model);
        return model;
    }

    private string FloatWav(string name, float[] samples)
    {
        var path = Path.Combine(_folder, name);
        WavFile.Write(path, AudioBuffer.Mono(48000, samples), WavSampleFormat.Float32);
        return path;
    }

    [Fact]
    public void Process_refuses_non_finite_input_as_check_and_training_do()
    {
        var samples = Enumerable.Range(0, 4800).Select(i => 0.25f * MathF.Sin(i * 0.05f)).ToArray();
        samples[1234] = float.NaN;
        var input = FloatWav("nan.wav", samples);
        var output = Path.Combine(_folder, "out.wav");

        var error = Assert.ThrowsAny<NsmtInputException>(() => AmpProcessor.ProcessFile(Model(), input, output));
        Assert.Equal(
            $"{input}: samples: expected finite values, got NaN at frame 1234 (NaN and infinity cannot be processed)",
            error.Message
        );
        Assert.False(File.Exists(output));
        Assert.Equal(2, AmpCommands.Root().Parse(["process", input, "-o", output, "--model", Model()]).Invoke());

        // The same check, and the same words, where the DI/reamp pair is read.
        var ingest = Assert.ThrowsAny<NsmtInputException>(() => CapturePair.Load(input, input));
        Assert.Equal(error.Message, ingest.Message);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("2000000")]
    public void A_block_size_out_of_range_is_refused_naming_the_option(string block)
    {
        // The probe's case: "--block 0" printed the processor's "BlockSize: expected 1 to 1048576 samples, got 0".
        var input = FloatWav("dry.wav", new float[4800]);
        var parse = AmpCommands
            .Root()
            .Parse(["process", input, "-o", Path.Combine(_folder, "out.wav"), "--model", Model(), "--block", block]);
        Assert.Equal(
            $"--block expects a whole number from 1 to 1048576, got '{block}'",
            Assert.Single(parse.Errors).Message
        );
    }

    [Fact]
    public void Infinity_in_any_channel_is_named_with_its_channel()
    {
        var left = new float[100];
        var right = new float[100];
        right[7] = float.PositiveInfinity;
        var error = Assert.ThrowsAny<NsmtInputException>(() =>
            FiniteSamples.Require(new AudioBuffer(48000, [left, right]), "x.wav")
        );
        Assert.Equal(
            "x.wav: samples: expected finite values, got Infinity at frame 7 of channel 1 (NaN and infinity cannot be processed)",
            error.Message
        );
    }

    [Fact]
    public void A_reamp_identical_to_the_di_is_warned_about()
    {
        var report = CapturePair.Load(Di, Di.ToArray(), 48000).Report;
        Assert.Contains(report.Warnings, w => w.Contains("holds the same samples as the DI", StringComparison.Ordinal));
        Assert.DoesNotContain(CapturePair.Load(Di, AmpTestSignals.PureDelay(Di, 32), 48000).Report.Warnings, w =>
            w.Contains("same samples", StringComparison.Ordinal)
        );
    }

    [Fact]
    public void A_given_latency_that_differs_from_the_detected_one_is_said_to_win()
    {
        // Clicks answer after 32 samples and the guitar after 35: the detections differ by 3 samples, and the
        // given -5 differs from both. Every warning must say that the given latency is the one used.
        var y = AmpTestSignals.PureDelay(Di, 32);
        var later = AmpTestSignals.PureDelay(Di, 35);
        var guitarStart = AmpTestSignals.Capture.Sections.Single(s => s.Kind == CaptureSectionKind.Guitar).Range.Start;
        Array.Copy(later, guitarStart, y, guitarStart, y.Length - guitarStart);

        var report = CapturePair.Load(Di, y, 48000, new IngestOptions { ManualLatency = -5 }).Report;

        Assert.Equal(-5, report.Latency.Alignment.Latency);
        Assert.DoesNotContain(report.Warnings, w =>
            w.Contains("win", StringComparison.Ordinal) && !w.Contains("given", StringComparison.Ordinal)
        );
        Assert.Contains(
            "the given latency (-5 samples) differs from the one detected on this pair (31, by clicks); the given latency (-5 samples) is used",
            report.Warnings
        );
        Assert.Contains(report.Warnings, w =>
            w.StartsWith("latency by clicks (32) and by cross-correlation", StringComparison.Ordinal)
            && w.EndsWith("; the given latency (-5 samples) is used", StringComparison.Ordinal)
        );
    }

    [Fact]
    public void A_nam_file_with_a_utf8_byte_order_mark_loads_as_nam_core_reads_it()
    {
        var model = Model();
        var withBom = Path.Combine(_folder, "bom.nam");
        File.WriteAllBytes(withBom, [.. Encoding.UTF8.GetPreamble(), .. File.ReadAllBytes(model)]);
        var expected = NamFile.Load(model);
        var loaded = NamFile.Load(withBom);
        Assert.Equal(expected.Weights, loaded.Weights);
        Assert.Equal(expected.SampleRate, loaded.SampleRate);
    }
}
