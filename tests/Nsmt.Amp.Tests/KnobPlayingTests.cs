using Nsmt.Amp.Keras;
using Nsmt.Amp.ReferenceAmp;
using Nsmt.Amp.Stage;
using Nsmt.Audio;
using Nsmt.Core;

namespace Nsmt.Amp.Tests;

/// <summary>Knob models played: ramped knob changes, automation sweeps, and the Amp stage's --knob and --set.</summary>
public sealed class KnobPlayingTests
{
    /// <summary>A seeded LSTM 8 whose second input (the knob) drives it hard, so a knob step would be heard.</summary>
    private static KerasModel KnobLstm()
    {
        var random = new Random(3);
        float[] Values(int n, double scale) =>
            Enumerable.Range(0, n).Select(_ => (float)((random.NextDouble() - 0.5) * 2 * scale)).ToArray();
        var kernel = Values(2 * 32, 0.8);
        for (var c = 0; c < 32; c++)
        {
            kernel[32 + c] *= 4; // the knob's row
        }

        var lstm = new KerasLstm(2, 8, kernel, Values(8 * 32, 0.4), Values(32, 0.2));
        var head = new KerasDense(8, 1, Values(8, 1.0), [0.05f], KerasActivation.None, TimeDistributed: false);
        return new KerasModel(2, [lstm, head]) { Knobs = [new KnobRange("gain_db", 0, 18)] };
    }

    private static float[] Sine(int length) =>
        Enumerable.Range(0, length).Select(i => 0.5f * MathF.Sin(2 * MathF.PI * 220 * i / 48000)).ToArray();

    private static float[] Stream(
        KerasModel model,
        float[] input,
        int block,
        int changeAt,
        float from,
        float to,
        bool ramp
    )
    {
        var engine = new KerasEngine(model);
        engine.SetKnobsImmediately([from]);
        var output = new float[input.Length];
        for (var start = 0; start < input.Length; start += block)
        {
            if (start == changeAt)
            {
                if (ramp)
                {
                    engine.SetKnobs([to]);
                }
                else
                {
                    engine.SetKnobsImmediately([to]);
                }
            }

            var count = Math.Min(block, input.Length - start);
            engine.Process(input.AsSpan(start, count), output.AsSpan(start, count));
        }

        return output;
    }

    private static double LargestStep(ReadOnlySpan<float> signal, int from, int to)
    {
        double largest = 0;
        for (var i = Math.Max(1, from); i < to; i++)
        {
            largest = Math.Max(largest, Math.Abs(signal[i] - signal[i - 1]));
        }

        return largest;
    }

    [Fact]
    public void A_knob_change_while_streaming_makes_no_jump_above_the_signals_own_largest_step()
    {
        const int block = 64,
            changeAt = 188 * block;
        var model = KnobLstm();
        var input = Sine(20_000);
        var ramped = Stream(model, input, block, changeAt, 0f, 1f, ramp: true);
        // The signal's own steps: the same stream held at settings along the way, after it settled.
        var own = Enumerable
            .Range(0, 21)
            .Select(i => LargestStep(Stream(model, input, block, -1, i / 20f, i / 20f, ramp: true), 2000, input.Length))
            .Max();
        var atChange = LargestStep(ramped, changeAt - block, changeAt + new KerasEngine(model).RampSamples + block);
        Assert.True(atChange <= own, $"largest step at the ramped change {atChange} vs the signal's own {own}");

        // The measure hears a click: a knob that shifts a memoryless model's output (y = x + 0.3 knob), stepped
        // without a ramp, jumps far above the signal's own largest step.
        var shift = new KerasModel(
            2,
            [new KerasDense(2, 1, [1f, 0.3f], [0f], KerasActivation.None, TimeDistributed: false)]
        );
        var stepped = Stream(shift, input, block, changeAt, 0f, 1f, ramp: false);
        var click = LargestStep(stepped, changeAt - 1, changeAt + 1);
        Assert.True(
            click > 10 * LargestStep(stepped, 1, changeAt - 1),
            $"an unramped knob step ({click}) should stand out"
        );
    }

    [Fact]
    public void An_automation_file_renders_a_sweep_interpolated_sample_by_sample()
    {
        // The network's output is its knob input, so the output is the normalised sweep itself.
        var model = new KerasModel(
            2,
            [new KerasDense(2, 1, [0f, 1f], [0f], KerasActivation.None, TimeDistributed: false)]
        )
        {
            Knobs = [new KnobRange("gain_db", 0, 18)],
        };
        var automation = KnobAutomation.Parse(["time,gain_db", "0,0", "0.5,18", "1,9"], "sweep.csv");
        const int block = 37;
        var output = KerasProcessor.Process(
            model,
            new float[1000],
            sampleRate: 1000,
            knobs: null,
            automation,
            blockSize: block
        );
        static double Sweep(double t) => t <= 0.5 ? t / 0.5 : 1 - ((t - 0.5) / 0.5 * 0.5); // normalised: 18 dB is 1
        for (var n = 0; n < output.Length; n++)
        {
            // Each block ramps linearly from the sweep's value at its start to the value at its end.
            int start = n / block * block,
                end = Math.Min(start + block, output.Length);
            var expected =
                Sweep(start / 1000.0)
                + ((Sweep(end / 1000.0) - Sweep(start / 1000.0)) * (n - start + 1) / (end - start));
            Assert.True(Math.Abs(output[n] - expected) < 1e-5, $"sample {n}: {output[n]} vs {expected}");
        }
    }

    [Theory]
    [InlineData(new[] { "time,gain_db", "0,0", "0,1" }, "times must rise")]
    [InlineData(new[] { "seconds,gain_db", "0,0" }, "expected 'time' then knob names")]
    [InlineData(new[] { "time,gain_db", "0,loud" }, "expected a number, got 'loud'")]
    public void Bad_automation_files_are_refused_naming_line_and_field(string[] lines, string message)
    {
        var error = Assert.ThrowsAny<NsmtInputException>(() => KnobAutomation.Parse(lines, "sweep.csv"));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("sweep.csv", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Amp_process_plays_a_json_model_at_the_given_knob_value_and_reamp_set_turns_the_reference_amps_knobs()
    {
        var folder = Directory.CreateTempSubdirectory("nsmt-knobs-").FullName;
        try
        {
            var modelPath = Path.Combine(folder, "knobs.json");
            File.WriteAllText(modelPath, KerasModelFile.Serialize(KnobLstm() with { SampleRate = 48000 }));
            var input = Path.Combine(folder, "in.wav");
            WavFile.Write(input, AudioBuffer.Mono(48000, Sine(4800)), WavSampleFormat.Float32);
            var output = Path.Combine(folder, "out.wav");
            Assert.Equal(
                0,
                AmpCommands
                    .Root()
                    .Parse(["process", input, "-o", output, "--model", modelPath, "--knob", "gain_db=9"])
                    .Invoke()
            );
            var expected = KerasProcessor.Process(
                KnobLstm(),
                Sine(4800),
                48000,
                KnobSetting.Parse("gain_db=9", "test"),
                null
            );
            Assert.Equal(expected, WavFile.Read(output).Channels[0]);
            Assert.Equal(
                2,
                AmpCommands
                    .Root()
                    .Parse(["process", input, "-o", output, "--model", modelPath, "--knob", "gain=9", "--overwrite"])
                    .Invoke()
            );

            var reamped = Path.Combine(folder, "reamped.wav");
            Assert.Equal(
                0,
                AmpCommands.Root().Parse(["reamp", input, "-o", reamped, "--set", "gain_db=6,mid_db=-2"]).Invoke()
            );
            var amp = new ReferenceAmp.ReferenceAmp(new ReferenceAmpOptions { GainDb = 6, MidDb = -2 });
            var wav = WavFile.Read(reamped).Channels[0];
            var direct = amp.Process(Sine(4800));
            Assert.True(
                wav.Zip(direct).Max(p => Math.Abs(p.First - p.Second)) < 1e-6,
                "reamp --set differs from the amp at those knobs"
            );
            Assert.Equal(
                2,
                AmpCommands.Root().Parse(["reamp", input, "-o", reamped, "--set", "gian_db=6", "--overwrite"]).Invoke()
            );
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
