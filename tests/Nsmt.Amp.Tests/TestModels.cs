using Nsmt.Amp.Architectures;

namespace Nsmt.Amp.Tests;

/// <summary>Models and signals made for tests (random weights; the expected outputs come from <see cref="ReferenceModels"/>).</summary>
internal static class TestModels
{
    /// <summary>
    /// Three arrays exercising what the presets do not: gating, channel counts that are not
    /// multiples of 4, kernel sizes 2 and 4, head bias on and off, a non-default head scale.
    /// </summary>
    public static WaveNetConfig OddGatedConfig() =>
        new()
        {
            LayerArrays =
            [
                new WaveNetLayerArrayConfig
                {
                    InputSize = 1,
                    Channels = 3,
                    HeadSize = 5,
                    KernelSize = 2,
                    Dilations = [1, 3, 2],
                    Gated = true,
                    HeadBias = true,
                },
                new WaveNetLayerArrayConfig
                {
                    InputSize = 3,
                    Channels = 5,
                    HeadSize = 2,
                    KernelSize = 4,
                    Dilations = [2, 1],
                    Gated = false,
                    HeadBias = false,
                },
                new WaveNetLayerArrayConfig
                {
                    InputSize = 5,
                    Channels = 2,
                    HeadSize = 1,
                    KernelSize = 3,
                    Dilations = [1, 4],
                    Gated = true,
                    HeadBias = true,
                },
            ],
            HeadScale = 0.5f,
        };

    public static NamModel Random(NamModelConfig config, int seed = 3, double? sampleRate = 48000) =>
        new(config, NamWeightInitializer.CreateRandom(config, seed), sampleRate);

    /// <summary>Sines, a step and noise, peak about 0.9: exercises both branches of the activations.</summary>
    public static float[] Signal(int length, int seed = 11)
    {
        var random = new Random(seed);
        var x = new float[length];
        for (var n = 0; n < length; n++)
        {
            var t = n / 48000.0;
            x[n] = (float)(
                (0.5 * Math.Sin(2 * Math.PI * 220 * t))
                + (0.3 * Math.Sin(2 * Math.PI * 1375 * t))
                + (n > length / 2 ? 0.1 : 0)
                + (0.05 * (random.NextDouble() - 0.5))
            );
        }

        return x;
    }

    public static float[] Stream(Engine.INamEngine engine, float[] input, int block)
    {
        var output = new float[input.Length];
        for (var start = 0; start < input.Length; start += block)
        {
            var count = Math.Min(block, input.Length - start);
            engine.Process(input.AsSpan(start, count), output.AsSpan(start, count));
        }

        return output;
    }

    /// <summary>
    /// Bytes allocated on this thread by five rounds of processing one block of each size and resetting,
    /// after a first round that may allocate while the runtime JIT-compiles and loads types.
    /// </summary>
    public static long AllocatedBytesWhileProcessing(Engine.INamEngine engine, int[] blockSizes)
    {
        var input = Signal(4096);
        var output = new float[4096];
        void RunAllBlockSizes()
        {
            foreach (var block in blockSizes)
            {
                engine.Process(input.AsSpan(0, block), output);
            }

            engine.Reset();
        }

        RunAllBlockSizes();
        // The fewest bytes over up to three rounds: the runtime's tiered compilation can allocate on this thread while
        // it promotes a method (seen once: 2,880 bytes in one round), while code that allocates per call allocates in
        // every round.
        var fewest = long.MaxValue;
        for (var round = 0; round < 3 && fewest > 0; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 5; i++)
            {
                RunAllBlockSizes();
            }

            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return fewest;
    }

    public static void AssertClose(double[] expected, float[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        var at = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            var error = Math.Abs(expected[i] - actual[i]);
            if (!(error <= worst))
            {
                worst = error;
                at = i;
            }
        }

        Assert.True(
            worst <= tolerance,
            $"max |error| {worst:G4} at sample {at} (expected {expected[at]:G9}, got {actual[at]:G9})"
        );
    }
}
