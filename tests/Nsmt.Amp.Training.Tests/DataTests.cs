using Nsmt.Amp.Capture;
using Nsmt.Amp.Training.Data;
using Nsmt.Neural;

namespace Nsmt.Amp.Training.Tests;

public class DataTests
{
    [Fact]
    public void Repeat_esr_is_the_evaluation_esr_including_a_silent_repeat()
    {
        // Passages [0, 4) and [4, 8), the repeat as target: sum (y-t)^2 = 1 + 1, sum t^2 = 4 + 4 -> 0.25 (by hand).
        float[] output = [1, 0, -1, 0, 2, 0, -2, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        Assert.Equal(0.25, AmpDataLoader.RepeatEsr(output, new SampleRange(0, 4), new SampleRange(4, 4)), 12);
        // Two silent passages agree perfectly: 0, not infinity; sound against a silent repeat: infinity.
        Assert.Equal(0, AmpDataLoader.RepeatEsr(output, new SampleRange(8, 4), new SampleRange(12, 4)));
        Assert.Equal(
            double.PositiveInfinity,
            AmpDataLoader.RepeatEsr(output, new SampleRange(0, 4), new SampleRange(8, 4))
        );
    }

    [Fact]
    public void Windows_carry_context_from_the_data_and_tile_the_range()
    {
        var input = Enumerable.Range(0, 100).Select(i => (float)i).ToArray();
        var output = input.Select(v => -v).ToArray();
        var windows = new WindowDataset(input, output, new SampleRange(10, 80), ny: 20, context: 15, lookahead: 2);
        // The first target needs 15 samples of context: it starts at 15, not 10.
        Assert.Equal(15, windows.FirstTarget);
        Assert.Equal(3, windows.Count); // targets [15, 35), [35, 55), [55, 75); [75, 95) would pass the range end
        var (x, y) = windows.Batch([2, 0]);
        Assert.Equal([2L, 37L], x.shape);
        Assert.Equal(Enumerable.Range(40, 37).Select(i => (float)i), x[0].ToArray<float>());
        Assert.Equal(Enumerable.Range(55, 20).Select(i => (float)-i), y[0].ToArray<float>());
        Assert.Equal(Enumerable.Range(0, 37).Select(i => (float)i), x[1].ToArray<float>());
    }

    [Fact]
    public void Shuffle_is_a_seeded_permutation_per_epoch()
    {
        var data = new float[10_000];
        var windows = new WindowDataset(data, data, new SampleRange(0, 10_000), ny: 100, context: 0, lookahead: 0);
        var a = windows.Shuffle(7, 3);
        Assert.Equal(Enumerable.Range(0, 100), a.Order());
        Assert.Equal(a, windows.Shuffle(7, 3));
        Assert.NotEqual(a, windows.Shuffle(7, 4));
        Assert.NotEqual(a, windows.Shuffle(8, 3));
    }

    [Fact]
    public void A_range_too_short_for_one_window_is_an_error_naming_the_fix()
    {
        var data = new float[1000];
        var error = Assert.Throws<ArgumentException>(() =>
            new WindowDataset(data, data, new SampleRange(0, 1000), ny: 800, context: 300, lookahead: 0)
        );
        Assert.Contains("data.ny", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reference_source_aligns_output_to_input_and_holds_out_the_repeat()
    {
        var data = AmpDataLoader.Load(
            new Config.DataSettings
            {
                SampleRate = 16_000,
                Seconds = 8,
                ValidationSeconds = 1,
            }
        );
        Assert.Equal(data.Input.Length, data.Output.Length);
        Assert.Equal(16_000, data.SampleRate);
        Assert.Equal(data.Input.Length, data.Validation.End);
        Assert.True(data.Train.End <= data.Validation.Start);
        Assert.True(data.Checks!.Passed);
        // A known latency is removed exactly: the aligned output does not depend on it.
        var delayed = AmpDataLoader.Load(
            new Config.DataSettings
            {
                SampleRate = 16_000,
                Seconds = 8,
                ValidationSeconds = 1,
                Amp = new ReferenceAmp.ReferenceAmpOptions { LatencySamples = 123 },
            }
        );
        Assert.Equal(data.Output, delayed.Output);
    }

    [Fact]
    public void Files_source_ingests_a_recorded_pair_and_detects_its_latency()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"nsmt-amp-files-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            // A "recording": the capture signal through the reference amp behind 200 samples of interface latency.
            var capture = CaptureSignal.Generate(
                new CaptureSignalOptions
                {
                    SampleRate = 16_000,
                    Seconds = 8,
                    ValidationSeconds = 1,
                }
            );
            var amp = new ReferenceAmp.ReferenceAmp(
                new ReferenceAmp.ReferenceAmpOptions { SampleRate = 16_000, LatencySamples = 200 }
            );
            string di = Path.Combine(dir, "di.wav"),
                reamp = Path.Combine(dir, "reamp.wav");
            capture.Save(di);
            Nsmt.Audio.WavFile.Write(
                reamp,
                Nsmt.Audio.AudioBuffer.Mono(16_000, amp.Process(capture.Samples)),
                Nsmt.Audio.WavSampleFormat.Float32
            );
            var config = Config.AmpTrainConfig.Parse(
                $"data:\n  source: files\n  di: {di}\n  reamp: {reamp}\n",
                "files test"
            );
            var data = AmpDataLoader.Load(config.Data);
            Assert.Equal(16_000, data.SampleRate);
            Assert.NotNull(data.Latency!.Calibration);
            // The response starts after the interface latency plus at most the oversampling filters' delay; a 1-sample margin is taken off.
            Assert.InRange(
                data.Latency.Calibration!.Recommended!.Value,
                199,
                200 + (int)Math.Ceiling(amp.OversamplingDelay)
            );
            // The held-out range is the repeated passage (its last samples may fall beyond the aligned end).
            Assert.InRange(
                data.Validation.Length,
                capture.Layout.ValidationRepeat.Length - 100,
                capture.Layout.ValidationRepeat.Length
            );
            Assert.Equal(data.Input.Length, data.Validation.End);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
