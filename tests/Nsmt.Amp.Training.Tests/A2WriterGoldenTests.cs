using System.Text;

namespace Nsmt.Amp.Training.Tests;

/// <summary>
/// A2's <c>.nam</c> files (a 0.6.0 WaveNet, a 0.7.0 SlimmableContainer, with and without metadata) and an amp
/// checkpoint's <c>training_data</c> entry are the bytes main's writers gave for the same models (Fixtures/main-nam,
/// written by tests/fixtures-gen/nam at main's code).
/// </summary>
public sealed class A2WriterGoldenTests
{
    public static TheoryData<string> Cases() => [.. A2WriterCases.All().Select(c => c.Golden)];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Written_as_main_wrote_it(string golden) =>
        Assert.Equal(
            File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "main-nam", golden)),
            Encoding.UTF8.GetString(A2WriterCases.All().Single(c => c.Golden == golden).Write())
        );
}
