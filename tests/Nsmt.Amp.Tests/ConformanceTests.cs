using Nsmt.Amp.Engine;
using Nsmt.Amp.Format;

namespace Nsmt.Amp.Tests;

/// <summary>Our engines against NAM Core's outputs for its own example models (nam-format.md).</summary>
public sealed class ConformanceTests
{
    private const float Tolerance = 1e-5f;

    public static TheoryData<string, string, TanhMode> Cases =>
        new()
        {
            { "wavenet_a1_standard.nam", "wavenet_a1_standard.expected.wav", TanhMode.Exact },
            { "wavenet_a1_standard.nam", "wavenet_a1_standard.fasttanh.expected.wav", TanhMode.Fast },
            { "lstm.nam", "lstm.expected.wav", TanhMode.Exact },
        };

    public static TheoryData<string, string, TanhMode, int> CasesByBlock()
    {
        var data = new TheoryData<string, string, TanhMode, int>();
        foreach (var block in new[] { 1, 7, 64, 4096 })
        {
            data.Add("wavenet_a1_standard.nam", "wavenet_a1_standard.expected.wav", TanhMode.Exact, block);
            data.Add("wavenet_a1_standard.nam", "wavenet_a1_standard.fasttanh.expected.wav", TanhMode.Fast, block);
            data.Add("lstm.nam", "lstm.expected.wav", TanhMode.Exact, block);
        }

        return data;
    }

    [NamFixtureTheory]
    [MemberData(nameof(CasesByBlock))]
    public void Streaming_engine_reproduces_core_at_every_block_size(
        string modelFile,
        string expectedFile,
        TanhMode mode,
        int block
    )
    {
        var model = NamFile.Load(NamFixtures.PathOf(modelFile));
        var input = NamFixtures.ReadMono("input_48k_f32.wav");
        var expected = NamFixtures.ReadMono(expectedFile);
        var engine = NamEngineFactory.Create(model, mode);

        var output = new float[input.Length];
        for (var start = 0; start < input.Length; start += block)
        {
            var count = Math.Min(block, input.Length - start);
            engine.Process(input.AsSpan(start, count), output.AsSpan(start, count));
        }

        AssertClose(expected, output, Tolerance);
    }

    [NamFixtureTheory]
    [MemberData(nameof(Cases))]
    public void Offline_path_reproduces_core(string modelFile, string expectedFile, TanhMode mode)
    {
        var model = NamFile.Load(NamFixtures.PathOf(modelFile));
        var input = NamFixtures.ReadMono("input_48k_f32.wav");
        var expected = NamFixtures.ReadMono(expectedFile);

        AssertClose(expected, NamOfflineProcessor.Process(model, input, mode), Tolerance);
    }

    [NamFixtureTheory]
    [MemberData(nameof(Cases))]
    public void Offline_path_in_small_chunks_reproduces_core(string modelFile, string expectedFile, TanhMode mode)
    {
        var model = NamFile.Load(NamFixtures.PathOf(modelFile));
        var input = NamFixtures.ReadMono("input_48k_f32.wav");
        var expected = NamFixtures.ReadMono(expectedFile);

        // 5000 is neither a power of two nor a divisor of the 2 s input: boundaries fall mid-signal.
        AssertClose(expected, NamOfflineProcessor.Process(model, input, mode, chunkSize: 5000), Tolerance);
    }

    [NamFixtureFact]
    public void Fast_and_exact_tanh_fixtures_differ_so_the_mode_is_really_tested()
    {
        var exact = NamFixtures.ReadMono("wavenet_a1_standard.expected.wav");
        var fast = NamFixtures.ReadMono("wavenet_a1_standard.fasttanh.expected.wav");
        var maxDifference = exact.Zip(fast, (a, b) => MathF.Abs(a - b)).Max();
        Assert.True(maxDifference > 10 * Tolerance, $"fixtures differ by only {maxDifference}");
    }

    internal static void AssertClose(float[] expected, float[] actual, float tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        var worst = 0;
        float worstError = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            var error = MathF.Abs(expected[i] - actual[i]);
            if (!(error <= worstError))
            {
                worst = i;
                worstError = error;
            }
        }

        Assert.True(
            worstError <= tolerance,
            $"max |error| {worstError:G4} at sample {worst} (expected {expected[worst]:G9}, got {actual[worst]:G9}), tolerance {tolerance:G3}"
        );
    }
}
