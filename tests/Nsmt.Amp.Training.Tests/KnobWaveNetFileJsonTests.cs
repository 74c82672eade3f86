using System.Text;
using Nsmt.Amp.Format;

namespace Nsmt.Amp.Training.Tests;

/// <summary>
/// A knob WaveNet file is the bytes main's hand-written Utf8JsonWriter gave for the same module
/// (Fixtures/main-json/knob_wavenet_*.json, written through tests/fixtures-gen/keras-json from the cases in
/// tests/Shared/Json/KnobWaveNetFileCases.cs), and what it wrote is a file the knob WaveNet reader takes.
/// </summary>
public sealed class KnobWaveNetFileJsonTests
{
    /// <summary>Each case by its golden and its index in <see cref="KnobWaveNetFileCases.All"/>.</summary>
    public static TheoryData<string, int> Cases()
    {
        var cases = new TheoryData<string, int>();
        foreach (var (golden, index) in KnobWaveNetFileCases.All().Select((c, i) => (c.Golden, i)))
        {
            cases.Add(golden, index);
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_module_is_saved_as_mains_bytes(string golden, int index)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "main-json", golden);
        Assert.Equal(
            File.ReadAllText(path).ReplaceLineEndings("\n"),
            Encoding.UTF8.GetString(KnobWaveNetFileCases.All()[index].Write()).ReplaceLineEndings("\n")
        );
        Assert.NotEmpty(KnobWaveNetReader.Load(path).Knobs);
    }
}
