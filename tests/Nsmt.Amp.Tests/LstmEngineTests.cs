using Nsmt.Amp.Architectures;
using Nsmt.Amp.Engine;

namespace Nsmt.Amp.Tests;

public sealed class LstmEngineTests
{
    public static TheoryData<LstmPreset, TanhMode, int> Cases()
    {
        var data = new TheoryData<LstmPreset, TanhMode, int>();
        foreach (var preset in Enum.GetValues<LstmPreset>())
        {
            data.Add(preset, TanhMode.Exact, 64);
            data.Add(preset, TanhMode.Fast, 7);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Presets_match_the_reference_recurrence(LstmPreset preset, TanhMode mode, int block)
    {
        var config = NamPresets.Lstm(preset);
        var weights = NamWeightInitializer.CreateRandom(config, seed: 9);

        // Non-zero initial state, so loading h0/c0 is tested too.
        foreach (var b in config.DescribeWeights().Where(b => b.Name.EndsWith("0", StringComparison.Ordinal)))
        {
            for (var i = 0; i < b.Length; i++)
            {
                weights[b.Offset + i] = 0.1f * (i % 5) - 0.2f;
            }
        }

        // 8 kHz keeps the half-second prewarm short for the double-precision reference.
        var model = new NamModel(config, weights, sampleRate: 8000);
        var input = TestModels.Signal(3000);
        var expected = ReferenceModels.Lstm(model, input, prewarm: 4000, fast: mode == TanhMode.Fast);

        var output = TestModels.Stream(new LstmEngine(model, mode), input, block);

        TestModels.AssertClose(expected, output, 1e-5);
    }

    [Theory]
    [InlineData(48000.0, 24000)]
    [InlineData(44100.0, 22050)]
    [InlineData(3.0, 1)]
    [InlineData(null, 1)]
    public void Prewarm_is_half_a_second_and_at_least_one_sample(double? sampleRate, int expected)
    {
        var model = TestModels.Random(NamPresets.Lstm(LstmPreset.Nano), sampleRate: sampleRate);
        Assert.Equal(expected, new LstmEngine(model).PrewarmSamples);
    }

    [Fact]
    public void Process_allocates_nothing_after_construction()
    {
        var engine = new LstmEngine(TestModels.Random(NamPresets.Lstm(LstmPreset.Lite)));
        Assert.Equal(0, TestModels.AllocatedBytesWhileProcessing(engine, [1, 7, 64, 4096]));
    }

    [Fact]
    public void Block_size_does_not_change_the_output()
    {
        var model = TestModels.Random(NamPresets.Lstm(LstmPreset.Standard));
        var input = TestModels.Signal(5000);
        var reference = TestModels.Stream(new LstmEngine(model), input, 4096);

        foreach (var block in new[] { 1, 7, 64 })
        {
            Assert.Equal(reference, TestModels.Stream(new LstmEngine(model), input, block));
        }
    }
}
