namespace Nsmt.Amp.Architectures;

/// <summary>
/// Deterministic random weights for a configuration, the way PyTorch initialises fresh modules
/// (uniform in +-1/sqrt(fan-in); biases likewise with the module's fan-in), with the initial LSTM
/// state at zero and a WaveNet's last weight set to its head scale. For benchmarks, tests and as
/// a trainer's starting point; not a trained model.
/// </summary>
public static class NamWeightInitializer
{
    public static float[] CreateRandom(NamModelConfig config, int seed)
    {
        ArgumentNullException.ThrowIfNull(config);
        var random = new Random(seed);
        var weights = new float[config.ParameterCount];
        var blocks = config.DescribeWeights();
        var previousFanIn = 1;
        foreach (var block in blocks)
        {
            var span = weights.AsSpan(block.Offset, block.Length);
            if (block.Name == "head_scale" && config is WaveNetConfig wavenet)
            {
                span[0] = wavenet.HeadScale;
            }
            else if (
                block.Name.EndsWith(".h0", StringComparison.Ordinal)
                || block.Name.EndsWith(".c0", StringComparison.Ordinal)
            )
            {
                span.Clear();
            }
            else
            {
                // A bias (fan-in 0) takes the bound of the weight it belongs to, as in PyTorch.
                var fanIn = block.FanIn > 0 ? block.FanIn : previousFanIn;
                var bound = 1f / MathF.Sqrt(fanIn);
                for (var i = 0; i < span.Length; i++)
                {
                    span[i] = ((float)random.NextDouble() * 2f - 1f) * bound;
                }

                previousFanIn = fanIn;
            }
        }

        return weights;
    }
}
