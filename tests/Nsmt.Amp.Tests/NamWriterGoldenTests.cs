using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Nsmt.Amp.Tests;

/// <summary>
/// The <c>.nam</c> writers (0.5.4 A1 WaveNet and LSTM, 0.6 WaveNet in both key sets, with and without metadata) give
/// the bytes main's writers gave for the same models (Fixtures/main-nam, written by tests/fixtures-gen/nam at main's
/// code), so a change of writer cannot change a file.
/// </summary>
public sealed class NamWriterGoldenTests
{
    public static TheoryData<string> BuiltCases() => [.. NamWriterCases.Built().Select(c => c.Golden)];

    public static TheoryData<string> CoreExampleCases() => [.. CoreExampleWrites().Select(c => c.Golden)];

    [Theory]
    [MemberData(nameof(BuiltCases))]
    public void A_built_model_is_written_as_main_wrote_it(string golden) =>
        AssertMains(golden, NamWriterCases.Built().Single(c => c.Golden == golden).Write());

    [NamFixtureTheory]
    [MemberData(nameof(CoreExampleCases))]
    public void A_core_example_is_rewritten_as_main_wrote_it(string golden) =>
        AssertMains(golden, CoreExampleWrites().Single(c => c.Golden == golden).Write());

    /// <summary>
    /// The serializer writes a float32 as "R" does (weights are written raw only to keep them on one line), for every
    /// form of text the cases' weights take.
    /// </summary>
    [Fact]
    public void The_serializers_float_text_is_the_round_trip_text()
    {
        var weights = NamWriterCases.Weights(500, 0.5f);
        Assert.Equal(
            "[" + string.Join(",", weights.Select(w => w.ToString("R", CultureInfo.InvariantCulture))) + "]",
            JsonSerializer.Serialize(weights)
        );
    }

    private static IReadOnlyList<(string Golden, Func<byte[]> Write)> CoreExampleWrites() =>
        NamWriterCases.FromCoreExamples(Path.Combine(NamFixtures.Directory ?? "", "core-examples"));

    /// <summary>Line endings aside: the indented writers end lines with the platform's newline.</summary>
    internal static void AssertMains(string golden, byte[] actual) =>
        Assert.Equal(
            File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "main-nam", golden))
                .ReplaceLineEndings("\n"),
            Encoding.UTF8.GetString(actual).ReplaceLineEndings("\n")
        );
}
