using Nsmt.Neural.Kernels;
using F = TorchSharp.torch.nn.functional;

namespace Engine.Tests;

/// <summary>
/// The hand-written SIMD conv1d (issue 29 item 4) against libtorch's conv1d in float64: output and the input, weight
/// and bias gradients, over shapes that reach every path of the kernel (8-row blocks and leftover rows, time tails,
/// input-gradient segments with no valid tap), and its determinism across runs and thread counts.
/// </summary>
public class SimdConvTests
{
    public static TheoryData<int, int, int, int, int, int> Shapes =>
        new()
        {
            // batch, in, out, kernel, dilation, input length
            { 2, 16, 16, 3, 1, 300 }, // A1 array 1, dilation 1
            { 2, 16, 16, 3, 64, 301 }, // long taps, odd length
            { 3, 17, 16, 3, 8, 257 }, // the fused mixin's 17 channels
            { 2, 8, 8, 3, 512, 1100 }, // A1 array 2's last layer
            { 1, 16, 8, 3, 1, 77 },
            { 2, 3, 5, 3, 40, 100 }, // output shorter than a dilation: input-gradient samples with no valid tap
            { 2, 1, 3, 2, 3, 19 }, // kernel 2, one input row, fewer than 8 output rows
            { 1, 8, 1, 3, 2, 40 }, // one output row
            { 2, 4, 20, 5, 7, 90 }, // kernel 5, 8-row blocks plus 4 leftover rows
            { 2, 16, 16, 3, 512, 9001 }, // several time chunks per batch item
        };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Matches_float64_conv1d_in_output_and_all_gradients(
        int batch,
        int inputs,
        int outputs,
        int kernel,
        int dilation,
        int length
    )
    {
        using var scope = NewDisposeScope();
        manual_seed(29);
        var x = randn(batch, inputs, length, dtype: ScalarType.Float64);
        var w = randn(outputs, inputs, kernel, dtype: ScalarType.Float64) / Math.Sqrt(inputs * kernel);
        var b = randn(outputs, dtype: ScalarType.Float64);
        var g = randn(batch, outputs, length - (dilation * (kernel - 1)), dtype: ScalarType.Float64);

        AssertMatchesFloat64(
            x,
            w,
            b,
            g,
            (x64, w64, b64) => F.conv1d(x64, w64, b64, dilation: dilation),
            (x32, w32, b32) =>
            {
                Assert.True(SimdConv1d.Serves(x32, w32));
                return SimdConv1d.Apply(x32, w32, b32, dilation);
            }
        );
    }

    [Fact]
    public void Without_bias_and_without_an_input_gradient_it_computes_the_rest()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var x = randn(2, 6, 50);
        var w = randn(9, 6, 3).requires_grad_();
        var y = SimdConv1d.Apply(x, w, null, 4);
        AssertClose(F.conv1d(x.to(ScalarType.Float64), w.detach().to(ScalarType.Float64), dilation: 4), y, "output");
        y.sum().backward();
        Assert.Null(x.grad);
        var w64 = w.detach().to(ScalarType.Float64).requires_grad_();
        F.conv1d(x.to(ScalarType.Float64), w64, dilation: 4).sum().backward();
        AssertClose(w64.grad!, w.grad!, "weight gradient");
    }

    [Fact]
    public void Results_are_bit_identical_across_runs_and_thread_counts()
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        var x = randn(5, 16, 9000);
        var w = randn(16, 16, 3);
        var b = randn(16);
        var g = randn(5, 16, 9000 - 64);
        AssertBitIdenticalAtOneAndTwoThreads(x, w, b, g, (xs, ws, bs) => SimdConv1d.Apply(xs, ws, bs, 32));
    }

    [Fact]
    public void It_serves_only_float32_cpu_convs_wider_than_one_tap()
    {
        using var scope = NewDisposeScope();
        Assert.True(SimdConv1d.Serves(zeros(1, 4, 10), zeros(2, 4, 3)));
        Assert.False(SimdConv1d.Serves(zeros(1, 4, 10), zeros(2, 4, 1)));
        Assert.False(
            SimdConv1d.Serves(zeros(1, 4, 10, dtype: ScalarType.Float64), zeros(2, 4, 3, dtype: ScalarType.Float64))
        );
        Assert.False(SimdConv1d.Serves(zeros(1, 5, 10), zeros(2, 4, 3)));
        Assert.Throws<ArgumentException>(() => SimdConv1d.Apply(zeros(1, 4, 10), zeros(2, 4, 3), null, 5));
    }

    [Fact]
    public void A_conv_module_runs_on_the_kernel_with_its_own_dilation_and_padded_or_strided_ones_stay_on_libtorch()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var x = randn(2, 4, 64);
        foreach (
            var conv in new[]
            {
                nn.Conv1d(4, 8, 3, dilation: 5),
                nn.Conv1d(4, 8, 3, dilation: 2, padding: 2),
                nn.Conv1d(4, 8, 3, stride: 2),
                nn.Conv1d(4, 8, 3, padding: Padding.Same),
            }
        )
        {
            using var expected = conv.call(x);
            using var actual = SimdConv1d.Call(conv, x, enabled: true);
            Assert.Equal(expected.shape, actual.shape);
            AssertClose(expected.to(ScalarType.Float64), actual, $"conv with dilation {conv.dilation[0]}");
        }
    }

    /// <summary>
    /// Runs <paramref name="conv"/> forward and backward (gradient <paramref name="g"/>) at 1, 2 and again 2 threads and
    /// asserts the output and the three gradients are bit-identical. Shared with SimdConv2dTests.
    /// </summary>
    internal static void AssertBitIdenticalAtOneAndTwoThreads(
        Tensor x,
        Tensor w,
        Tensor b,
        Tensor g,
        Func<Tensor, Tensor, Tensor, Tensor> conv
    )
    {
        var threads = get_num_threads();
        try
        {
            var runs = new[] { 1, 2, 2 }
                .Select(n =>
                {
                    set_num_threads(n);
                    var (xs, ws, bs) = (
                        x.clone().requires_grad_(),
                        w.clone().requires_grad_(),
                        b.clone().requires_grad_()
                    );
                    var y = conv(xs, ws, bs);
                    y.backward([g]);
                    return new[] { y, xs.grad!, ws.grad!, bs.grad! }.Select(t => t.bytes.ToArray()).ToArray();
                })
                .ToArray();
            for (var r = 1; r < runs.Length; r++)
            {
                for (var i = 0; i < 4; i++)
                {
                    Assert.Equal(runs[0][i], runs[r][i]);
                }
            }
        }
        finally
        {
            set_num_threads(threads);
        }
    }

    // float32 against float64: sums of up to a few thousand products, so within 1e-5 of the largest value. Shared with
    // SimdConv2dTests.
    /// <summary>
    /// A kernel in float32 against <paramref name="reference"/> (libtorch in float64) from the same float64 x, w and b:
    /// the output and the input, weight and bias gradients for the output gradient g. Shared with SimdConv2dTests.
    /// </summary>
    internal static void AssertMatchesFloat64(
        Tensor x,
        Tensor w,
        Tensor b,
        Tensor g,
        Func<Tensor, Tensor, Tensor, Tensor> reference,
        Func<Tensor, Tensor, Tensor, Tensor> kernel
    )
    {
        var (x64, w64, b64) = (x.clone().requires_grad_(), w.clone().requires_grad_(), b.clone().requires_grad_());
        var y64 = reference(x64, w64, b64);
        y64.backward([g]);

        var x32 = x.to(ScalarType.Float32).requires_grad_();
        var w32 = w.to(ScalarType.Float32).requires_grad_();
        var b32 = b.to(ScalarType.Float32).requires_grad_();
        var y32 = kernel(x32, w32, b32);
        y32.backward([g.to(ScalarType.Float32)]);

        AssertClose(y64, y32, "output");
        AssertClose(x64.grad!, x32.grad!, "input gradient");
        AssertClose(w64.grad!, w32.grad!, "weight gradient");
        AssertClose(b64.grad!, b32.grad!, "bias gradient");
    }

    internal static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        var scale = Math.Max(1.0, expected.abs().max().item<double>());
        var error = (actual.to(ScalarType.Float64) - expected).abs().max().item<double>();
        Assert.True(error <= 1e-5 * scale, $"{what}: max abs error {error:E2} against float64 (scale {scale:F3})");
    }
}
