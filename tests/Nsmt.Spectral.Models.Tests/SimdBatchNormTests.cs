using Nsmt.Neural.Kernels;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nsmt.Spectral.Models.Tests;

/// <summary>
/// SimpleCnn's batch norms on SimdBatchNorm2d compute what libtorch computes: two models built from the same seed, one
/// with the kernel and one without, agree in the outputs and every parameter's gradient of two training steps, in their
/// running statistics and batch counts after them, and in evaluation mode (which runs on libtorch and reads those
/// running statistics); with the convs and pools on libtorch and on their SIMD kernels.
/// </summary>
public class SimdBatchNormTests
{
    [Theory]
    [InlineData(1, 8, 16, 32, false)] // cnn_micro
    [InlineData(1, 16, 32, 32, true)] // cnn_tiny, convs and pools on their SIMD kernels
    [InlineData(3, 8, 16, 28, true)] // 3 input channels, 28-px images
    public void SimpleCnn_with_the_simd_batch_norms_matches_libtorch(
        int inputs,
        int conv1,
        int conv2,
        int size,
        bool simdNeighbours
    )
    {
        using var scope = NewDisposeScope();
        var heads = new HeadSpec[] { new("a", 3), new("b", 7) };
        SimpleCnn Model(bool simd)
        {
            manual_seed(5);
            return new SimpleCnn(new SimpleCnnOptions(inputs, conv1, conv2, 32, 0.0, size), heads)
            {
                SimdBatchNorm = simd,
                SimdConvolution = simdNeighbours,
                SimdPooling = simdNeighbours,
            };
        }

        using var libtorch = Model(simd: false);
        using var simd = Model(simd: true);
        var norms = simd.modules().OfType<BatchNorm2d>().ToList();
        Assert.Equal(2, norms.Count);
        Assert.True(SimdBatchNorm2d.Serves(norms[0], zeros(2, conv1, size, size)));
        Assert.True(SimdBatchNorm2d.Serves(norms[1], zeros(2, conv2, size / 2, size / 2)));

        static List<(string Name, Tensor Value)> Step(SimpleCnn model, Tensor x)
        {
            model.zero_grad();
            var outputs = model.call(x, null);
            outputs.Values.Select(o => o.square().sum()).Aggregate((a, b) => a + b).backward();
            return
            [
                .. outputs.Select(kv => (kv.Key, kv.Value.detach().clone())),
                .. model.named_parameters().Select(p => (p.name, p.parameter.grad!.clone())),
            ];
        }

        var differingBits = 0;
        for (var step = 0; step < 2; step++)
        {
            var x = randn(6, inputs, size, size) * 2 + 1;
            var expected = Step(libtorch, x);
            var actual = Step(simd, x);
            Assert.Equal(expected.Select(e => e.Name), actual.Select(e => e.Name));
            foreach (var ((name, e), (_, a)) in expected.Zip(actual))
            {
                AssertClose(e, a, $"step {step}: {name}");
                differingBits += e.bytes.SequenceEqual(a.bytes) ? 0 : 1;
            }
        }

        // The kernel ran: it sums in another order than libtorch, so some results differ in their last bits (the same
        // path twice is bit-identical, as SimdPoolingTests shows).
        Assert.True(differingBits > 0);

        var libtorchBuffers = libtorch.named_buffers().ToList();
        var simdBuffers = simd.named_buffers().ToList();
        Assert.Equal(6, simdBuffers.Count); // running mean, running variance and batch count of each norm
        foreach (var ((name, e), (_, a)) in libtorchBuffers.Zip(simdBuffers))
        {
            Assert.Equal(e.dtype, a.dtype);
            AssertClose(e.to(ScalarType.Float32), a.to(ScalarType.Float32), name);
        }

        Assert.All(norms, norm => Assert.Equal(2L, norm.num_batches_tracked!.item<long>()));
        libtorch.eval();
        simd.eval();
        var test = randn(4, inputs, size, size);
        foreach (var (name, e) in libtorch.call(test, null))
        {
            AssertClose(e, simd.call(test, null)[name], $"evaluation output {name}");
        }
    }

    private static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        var scale = Math.Max(1.0, expected.abs().max().item<float>());
        var error = (actual - expected).abs().max().item<float>();
        Assert.True(error <= 1e-4 * scale, $"{what}: max |libtorch - simd| = {error:E2} (scale {scale:F3})");
    }
}
