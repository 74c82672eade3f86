using System.Text;
using Nsmt.Amp.Keras;

namespace Nsmt.Amp.Tests;

/// <summary>
/// The RTNeural/AIDA-X Keras JSON we write is the bytes main's hand-written Utf8JsonWriter gave for the same models
/// (Fixtures/main-json/keras_*.json, written through tests/fixtures-gen/keras-json from the cases in
/// tests/Shared/Json/KerasWriterCases.cs), reads back to its model, and RTNeural's own models written by it still play
/// as Keras computed them.
/// </summary>
public sealed class KerasJsonWriterTests
{
    /// <summary>Each case by its golden and its index in <see cref="KerasWriterCases.All"/>.</summary>
    public static TheoryData<string, int> Cases()
    {
        var cases = new TheoryData<string, int>();
        foreach (var (golden, index) in KerasWriterCases.All().Select((c, i) => (c.Golden, i)))
        {
            cases.Add(golden, index);
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_model_is_written_as_mains_bytes(string golden, int index) =>
        AssertMains(golden, KerasWriterCases.All()[index].Write());

    [Fact]
    public void A_golden_reads_back_to_its_model_and_is_written_again_unchanged()
    {
        var model = KerasModelFile.Load(GoldenPath("keras_layers.json"));
        var expected = KerasWriterCases.EveryLayer();
        Assert.Equal(expected.Knobs, model.Knobs);
        Assert.Equal(expected.SampleRate, model.SampleRate);
        Assert.Equal(
            expected.Layers.Select(l => (l.TypeName, l.InputSize, l.OutputSize)),
            model.Layers.Select(l => (l.TypeName, l.InputSize, l.OutputSize))
        );
        Assert.Equal(((KerasGru)expected.Layers[1]).Recurrent, ((KerasGru)model.Layers[1]).Recurrent);
        AssertMains("keras_layers.json", KerasWriterCases.Serialize(model));
    }

    [RtNeuralFixtureTheory]
    [InlineData("lstm")]
    [InlineData("gru")]
    [InlineData("lstm_1d")]
    [InlineData("gru_1d")]
    public void Rtneural_fixtures_written_by_us_play_as_keras_computed_them(string name)
    {
        var written = KerasModelFile.Serialize(KerasModelFile.Load(RtNeuralFixtures.PathOf(name + ".json")));
        var engine = new KerasEngine(KerasModelFile.Parse(written, name));
        var input = RtNeuralFixtures.ReadColumn(name + "_x_python.csv").Select(v => (float)v).ToArray();
        var expected = RtNeuralFixtures.ReadColumn(name + "_y_python.csv");
        var output = new float[input.Length];
        engine.Process(input, output);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(output[i] - expected[i]) <= 1e-5, $"{name} sample {i}: {output[i]} vs {expected[i]}");
        }
    }

    [Fact]
    public void A_non_finite_weight_is_refused()
    {
        var model = KerasWriterCases.AidaGru();
        ((KerasDense)model.Layers[1]).Bias[0] = float.NaN;
        var error = Assert.Throws<InvalidOperationException>(() => KerasModelFile.Serialize(model));
        Assert.Equal("cannot write a non-finite weight (NaN); the model diverged", error.Message);
    }

    private static string GoldenPath(string golden) =>
        Path.Combine(AppContext.BaseDirectory, "Fixtures", "main-json", golden);

    /// <summary>Line endings aside: main's writer and ours both end lines with the platform's newline.</summary>
    private static void AssertMains(string golden, byte[] actual) =>
        Assert.Equal(
            File.ReadAllText(GoldenPath(golden)).ReplaceLineEndings("\n"),
            Encoding.UTF8.GetString(actual).ReplaceLineEndings("\n")
        );
}
