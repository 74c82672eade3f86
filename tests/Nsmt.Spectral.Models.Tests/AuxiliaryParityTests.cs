using Nsmt.Neural.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace Nsmt.Spectral.Models.Tests;

/// <summary>
/// The auxiliary-input SimpleCnn against the template's SimpleCNN written in plain PyTorch
/// (tests/fixtures-gen/spectral/make_auxiliary_fixture.py): same weights, float64, eval mode; outputs and every
/// parameter's gradient of a weighted sum of the outputs.
/// </summary>
public class AuxiliaryParityTests
{
    [Fact]
    public void Forward_and_gradients_match_pytorch()
    {
        using var scope = NewDisposeScope();
        var (golden, _) = SafeTensors.Load(
            Path.Combine(AppContext.BaseDirectory, "Fixtures", "auxiliary_cnn.safetensors")
        );
        using var model = new SimpleCnn(
            new SimpleCnnOptions(1, 4, 8, 16, 0.5, 32),
            [new("note_velocity", 3), new("log10_decay_time", 24)],
            auxiliary: new AuxiliaryOptions(3, 8, 0.25)
        );
        // Module.to on the whole network trips over ModuleDict's indexer in TorchSharp 0.107; the leaves convert alone.
        foreach (var (_, leaf) in model.named_modules().Where(m => !m.module.children().Any()).ToList())
        {
            leaf.to(ScalarType.Float64);
        }

        var state = model.state_dict();
        var loaded = golden
            .Keys.Where(k => k.StartsWith("param.", StringComparison.Ordinal))
            .Select(k => k["param.".Length..])
            .ToList();
        using (no_grad())
        {
            foreach (var name in loaded)
            {
                state[name].copy_(golden["param." + name]);
            }
        }
        // Everything but our feature scaling (identity until set, as the template has none) and BatchNorm's counters came from PyTorch.
        Assert.Equal(
            state
                .Keys.Where(k =>
                    !k.StartsWith("auxiliary_scaling.", StringComparison.Ordinal)
                    && !k.EndsWith("num_batches_tracked", StringComparison.Ordinal)
                )
                .Order(),
            loaded.Order()
        );

        model.eval();
        var outputs = model.call(golden["input.x"], golden["input.aux"]);
        Tensor? loss = null;
        foreach (var head in new[] { "note_velocity", "log10_decay_time" })
        {
            AssertClose(golden["out." + head], outputs[head], head);
            var term = (outputs[head] * golden["loss_weight." + head]).sum();
            loss = loss is null ? term : loss + term;
        }
        loss!.backward();
        foreach (var (name, parameter) in model.named_parameters())
        {
            AssertClose(golden["grad." + name], parameter.grad!, "grad of " + name);
        }
    }

    private static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        var error = (expected - actual).abs().max().item<double>();
        Assert.True(error < 1e-10, $"{what}: max |PyTorch - ours| = {error}");
    }
}
