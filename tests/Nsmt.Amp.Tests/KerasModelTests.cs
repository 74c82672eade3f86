using Nsmt.Amp.Format;
using Nsmt.Amp.Keras;

namespace Nsmt.Amp.Tests;

public sealed class KerasModelTests
{
    [RtNeuralFixtureTheory]
    [InlineData("lstm", typeof(KerasLstm))]
    [InlineData("gru", typeof(KerasGru))]
    [InlineData("lstm_1d", typeof(KerasLstm))]
    [InlineData("gru_1d", typeof(KerasGru))]
    public void Rtneural_fixtures_play_as_keras_computed_them(string name, Type recurrent)
    {
        var model = KerasModelFile.Load(RtNeuralFixtures.PathOf(name + ".json"));
        Assert.Contains(model.Layers, layer => layer.GetType() == recurrent);
        Assert.Equal(name.EndsWith("_1d", StringComparison.Ordinal), model.Layers[0] is not KerasDense);
        var x = RtNeuralFixtures.ReadColumn(name + "_x_python.csv");
        var expected = RtNeuralFixtures.ReadColumn(name + "_y_python.csv");
        Assert.Equal(x.Length, expected.Length);

        // Blocks of uneven length: the state must carry across them exactly as across samples.
        var engine = new KerasEngine(model);
        var input = x.Select(v => (float)v).ToArray();
        var output = new float[input.Length];
        for (int start = 0, block = 1; start < input.Length; start += block, block = block % 13 + 1)
        {
            var count = Math.Min(block, input.Length - start);
            engine.Process(input.AsSpan(start, count), output.AsSpan(start, count));
        }

        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(
                Math.Abs(output[i] - expected[i]) <= 1e-5,
                $"{name} sample {i}: {output[i]} vs Keras {expected[i]}"
            );
        }

        // Reset returns to RTNeural's zero state: the same input gives the same samples again.
        engine.Reset();
        var again = new float[input.Length];
        engine.Process(input, again);
        Assert.Equal(output, again);
    }

    [Fact]
    public void Aida_fields_scale_and_skip_as_aida_x_applies_them()
    {
        // A one-unit dense "network" y = 2 x: in_gain 6.0206 dB doubles the input, in_skip adds it back,
        // out_gain -6.0206 dB halves the sum: (2x + 2*2x) / 2 = 3x.
        var json = """
            {"in_shape": [null, null, 1], "in_skip": 1, "in_gain": 6.020599913279624, "out_gain": -6.020599913279624,
             "layers": [{"type": "dense", "activation": "", "shape": [null, null, 1], "weights": [[[2.0]], [0.0]]}]}
            """;
        var engine = new KerasEngine(KerasModelFile.Parse(json));
        var output = new float[3];
        engine.Process([0.1f, -0.2f, 0.3f], output);
        Assert.Equal([0.3f, -0.6f, 0.9f], output, (a, b) => Math.Abs(a - b) < 1e-6);
    }

    [Fact]
    public void Knob_changes_ramp_over_the_next_block_or_the_ramp_length()
    {
        // Output = the knob input itself (dense weights [0, 1]): the ramp is visible sample by sample.
        var json = """
            {"in_shape": [null, null, 2],
             "layers": [{"type": "dense", "activation": "", "shape": [null, null, 1], "weights": [[[0.0], [1.0]], [0.0]]}]}
            """;
        var engine = new KerasEngine(KerasModelFile.Parse(json));
        engine.SetKnobsImmediately([0.2f]);
        var output = new float[4];
        engine.Process(new float[4], output);
        Assert.All(output, v => Assert.Equal(0.2f, v));
        engine.SetKnobs([1.0f], rampSamples: 0);
        engine.Process(new float[4], output);
        Assert.Equal([0.4f, 0.6f, 0.8f, 1.0f], output, (a, b) => Math.Abs(a - b) < 1e-6);
        engine.Process(new float[4], output);
        Assert.All(output, v => Assert.Equal(1.0f, v));

        // A ramp longer than the block carries on into the next blocks.
        engine.SetKnobs([0.2f], rampSamples: 8);
        engine.Process(new float[4], output);
        Assert.Equal([0.9f, 0.8f, 0.7f, 0.6f], output, (a, b) => Math.Abs(a - b) < 1e-6);
        engine.Process(new float[6], new float[6]);
        Assert.Equal(0.2f, engine.Knobs[0]);
    }

    [Theory]
    [InlineData("""{"layers": []}""", "in_shape", "required key is missing")]
    [InlineData("""{"in_shape": [null, null, 1], "layers": []}""", "layers", "at least one layer")]
    [InlineData(
        """{"in_shape": [null, null, 1], "layers": [{"type": "conv2d", "shape": [null, null, 1], "weights": []}]}""",
        "layers[0].type",
        "unsupported layer type 'conv2d'"
    )]
    [InlineData(
        """{"in_shape": [null, null, 1], "layers": [{"type": "lstm", "shape": [null, null, 2], "weights": [[[1, 2, 3, 4, 5, 6, 7, 8]], [[1, 2, 3, 4, 5, 6, 7, 8]], [1, 2, 3, 4, 5, 6, 7, 8]]}]}""",
        "layers[0].weights[1]",
        "expected a [2][8] array, got an array of 1"
    )]
    [InlineData(
        """{"in_shape": [null, null, 1], "in_skip": 2, "layers": [{"type": "dense", "shape": [null, null, 1], "weights": [[[1]]]}]}""",
        "in_skip",
        "must be 0 or 1"
    )]
    [InlineData(
        """{"in_shape": [null, null, 1], "layers": [{"type": "dense", "activation": "swish", "shape": [null, null, 1], "weights": [[[1]]]}]}""",
        "layers[0].activation",
        "unsupported activation 'swish'"
    )]
    [InlineData(
        """{"in_shape": [null, null, 2], "nsmt_knobs": [{"name": "gain_db", "min": 3, "max": 3}], "layers": [{"type": "dense", "shape": [null, null, 1], "weights": [[[1], [1]]]}]}""",
        "nsmt_knobs[0].max",
        "above min"
    )]
    public void Bad_files_are_refused_naming_file_and_field(string json, string field, string problem)
    {
        var error = Assert.Throws<NamFormatException>(() => KerasModelFile.Parse(json, "model.json"));
        Assert.Equal(field, error.Field);
        Assert.Contains(problem, error.Problem, StringComparison.Ordinal);
        Assert.StartsWith("model.json: ", error.Message, StringComparison.Ordinal);
    }
}
