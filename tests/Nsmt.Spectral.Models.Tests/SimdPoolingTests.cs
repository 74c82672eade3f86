using Nsmt.Neural.Kernels;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nsmt.Spectral.Models.Tests;

/// <summary>
/// SimpleCnn's max pools on SimdMaxPool2d compute exactly what libtorch computes: outputs and every parameter's gradient
/// of a training step (BatchNorm in batch statistics, pools after ReLU, so many windows tie at zero) are bit-identical
/// with the kernel on and off, from the same weights, with the convs on libtorch and on SimdConv2d.
/// </summary>
public class SimdPoolingTests
{
    [Theory]
    [InlineData(1, 8, 16, 32, false)] // cnn_micro
    [InlineData(1, 16, 32, 32, true)] // cnn_tiny, convs on SimdConv2d
    [InlineData(3, 8, 16, 28, true)] // 3 input channels, 28-px images: 14 and 7 outputs per row
    public void SimpleCnn_with_the_simd_pools_matches_libtorch_bit_for_bit(
        int inputs,
        int conv1,
        int conv2,
        int size,
        bool simdConvs
    )
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        var heads = new HeadSpec[] { new("a", 3), new("b", 7) };
        using var model = new SimpleCnn(new SimpleCnnOptions(inputs, conv1, conv2, 32, 0.0, size), heads)
        {
            SimdConvolution = simdConvs,
        };
        var pools = model.modules().OfType<MaxPool2d>().ToList();
        Assert.Equal(2, pools.Count);
        Assert.All(pools, pool => Assert.True(SimdMaxPool2d.Serves(pool, zeros(1, 1, size, size))));
        var x = randn(6, inputs, size, size);
        List<(string Name, byte[] Bytes)> Step(bool simd)
        {
            model.SimdPooling = simd;
            model.zero_grad();
            var outputs = model.call(x, null);
            outputs.Values.Select(o => o.square().sum()).Aggregate((a, b) => a + b).backward();
            return
            [
                .. outputs.Select(kv => (kv.Key, kv.Value.detach().contiguous().bytes.ToArray())),
                .. model.named_parameters().Select(p => (p.name, p.parameter.grad!.contiguous().bytes.ToArray())),
            ];
        }

        var libtorch = Step(simd: false);
        var simd = Step(simd: true);
        Assert.Equal(libtorch.Select(e => e.Name), simd.Select(e => e.Name));
        foreach (var ((name, expected), (_, actual)) in libtorch.Zip(simd))
        {
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"{name} differs with the SIMD pools");
        }
    }
}
