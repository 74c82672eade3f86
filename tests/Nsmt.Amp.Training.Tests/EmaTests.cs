using Nsmt.Amp.Training.Modules;
using Nsmt.Neural;
using Nsmt.Neural.Optimization;
using static TorchSharp.torch;

namespace Nsmt.Amp.Training.Tests;

public class EmaTests
{
    [Fact]
    public void Average_follows_the_update_rule_and_apply_swaps_weights_in_and_out()
    {
        manual_seed(1);
        using var model = new PlainWaveNet(new PlainWaveNetOptions(Channels: 2, Layers: 1));
        var parameter = model.parameters().First();
        var initial = parameter.ToArray<float>();
        using var average = new WeightAverage(model, 0.75);
        using (no_grad())
        {
            parameter.add_(1.0);
        }

        average.Update(); // avg = 0.75 * initial + 0.25 * (initial + 1) = initial + 0.25
        var raw = parameter.ToArray<float>();
        using (average.Apply())
        {
            Golden.AssertClose(
                initial.Select(v => v + 0.25f).ToArray(),
                parameter.ToArray<float>(),
                1e-6,
                0,
                "averaged weights"
            );
        }

        Assert.Equal(raw, parameter.ToArray<float>());
        Assert.Throws<ArgumentOutOfRangeException>(() => new WeightAverage(model, 1.0));
    }
}
