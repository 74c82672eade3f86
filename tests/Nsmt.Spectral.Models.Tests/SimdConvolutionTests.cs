using Nsmt.Neural.Kernels;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nsmt.Spectral.Models.Tests;

/// <summary>
/// SimpleCnn's convs on SimdConv2d compute what libtorch computes: outputs and every parameter's gradient of a training
/// step (BatchNorm in batch statistics) with the kernel on and off, from the same weights, and its convs are ones the
/// kernel serves.
/// </summary>
public class SimdConvolutionTests
{
    [Theory]
    [InlineData(1, 8, 16, 32)] // cnn_micro
    [InlineData(3, 16, 32, 28)] // 3 input channels, 28-px images
    public void SimpleCnn_with_the_simd_convs_matches_libtorch_in_outputs_and_gradients(
        int inputs,
        int conv1,
        int conv2,
        int size
    )
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        var heads = new HeadSpec[] { new("a", 3), new("b", 7) };
        using var model = new SimpleCnn(new SimpleCnnOptions(inputs, conv1, conv2, 32, 0.0, size), heads);
        Assert.All(model.modules().OfType<Conv2d>(), conv =>
            Assert.True(SimdConv2d.Serves(conv, zeros(1, conv.weight!.size(1), size, size)))
        );
        var x = randn(6, inputs, size, size);
        (Dictionary<string, Tensor> Outputs, Dictionary<string, Tensor> Grads) Step(bool simd)
        {
            model.SimdConvolution = simd;
            model.zero_grad();
            var outputs = model.call(x, null);
            outputs.Values.Select(o => o.square().sum()).Aggregate((a, b) => a + b).backward();
            return (
                outputs.ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone()),
                model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.clone())
            );
        }

        var (libOutputs, libGrads) = Step(simd: false);
        var (simdOutputs, simdGrads) = Step(simd: true);
        foreach (var (name, expected) in libOutputs.Concat(libGrads))
        {
            var actual = simdOutputs.TryGetValue(name, out var o) ? o : simdGrads[name];
            var scale = Math.Max(1.0, expected.abs().max().item<float>());
            var error = (actual - expected).abs().max().item<float>();
            Assert.True(error <= 1e-4 * scale, $"{name}: max |libtorch - simd| = {error:E2} (scale {scale:F3})");
        }
    }
}
