using Nsmt.Neural.Kernels;
using static Engine.Tests.SimdConvTests;
using F = TorchSharp.torch.nn.functional;

namespace Engine.Tests;

/// <summary>
/// The hand-written SIMD conv2d (issue 29 item 4) against libtorch's conv2d in float64: output and the input, weight and
/// bias gradients, over shapes that reach every path of the kernel (one and many input channels, output channels not a
/// multiple of the 8-channel block, heights not a multiple of the 3-row block, widths not a multiple of the vector,
/// padding 0 to K - 1, kernels 1, 3, 5 and rectangular, more batch items than one weight-gradient group), its
/// determinism across runs and thread counts, and which modules it computes. build/test.sh runs
/// these tests also with DOTNET_PreferredVectorBitWidth=256 and DOTNET_EnableAVX=0 (the Vector256 and scalar kernels).
/// </summary>
public class SimdConv2dTests
{
    public static TheoryData<int, int, int, int, int, int, int, int, int> Shapes =>
        new()
        {
            // batch, in, out, kernel height, kernel width, padding height, padding width, height, width
            { 2, 1, 8, 3, 3, 1, 1, 32, 32 }, // cnn_micro conv1 (its 1->16 twin is cnn_tiny's)
            { 2, 8, 16, 3, 3, 1, 1, 16, 16 }, // cnn_micro conv2
            { 3, 16, 32, 3, 3, 1, 1, 16, 16 }, // cnn_tiny conv2
            { 2, 1, 5, 5, 5, 2, 2, 13, 19 }, // kernel 5 'same', 5 output channels, odd sizes
            { 2, 4, 8, 1, 1, 0, 0, 7, 20 }, // kernel 1
            { 1, 3, 10, 3, 3, 0, 0, 9, 17 }, // unpadded, 10 output channels, width 15 out
            { 2, 6, 16, 5, 5, 1, 1, 11, 40 }, // padding below 'same': 38 wide out
            { 9, 2, 3, 3, 3, 2, 2, 5, 5 }, // padding K - 1, two weight-gradient groups
            { 2, 3, 8, 3, 5, 1, 2, 10, 12 }, // rectangular kernel and padding
            { 1, 17, 9, 3, 3, 1, 1, 4, 3 }, // tiny image, 17 channels
        };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Matches_float64_conv2d_in_output_and_all_gradients(
        int batch,
        int inputs,
        int outputs,
        int kh,
        int kw,
        int ph,
        int pw,
        int height,
        int width
    )
    {
        using var scope = NewDisposeScope();
        manual_seed(29);
        var x = randn(batch, inputs, height, width, dtype: ScalarType.Float64);
        var w = randn(outputs, inputs, kh, kw, dtype: ScalarType.Float64) / Math.Sqrt(inputs * kh * kw);
        var b = randn(outputs, dtype: ScalarType.Float64);
        var g = randn(batch, outputs, height + (2 * ph) - kh + 1, width + (2 * pw) - kw + 1, dtype: ScalarType.Float64);

        AssertMatchesFloat64(
            x,
            w,
            b,
            g,
            (x64, w64, b64) => F.conv2d(x64, w64, b64, padding: [ph, pw]),
            (x32, w32, b32) =>
            {
                Assert.True(SimdConv2d.Serves(x32, w32, ph, pw));
                return SimdConv2d.Apply(x32, w32, b32, ph, pw);
            }
        );
    }

    [Fact]
    public void Without_bias_and_without_an_input_gradient_it_computes_the_rest()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var x = randn(2, 1, 12, 12);
        var w = randn(8, 1, 3, 3).requires_grad_();
        var y = SimdConv2d.Apply(x, w, null, 1, 1);
        AssertClose(
            F.conv2d(x.to(ScalarType.Float64), w.detach().to(ScalarType.Float64), padding: [1, 1]),
            y,
            "output"
        );
        y.sum().backward();
        Assert.Null(x.grad);
        var w64 = w.detach().to(ScalarType.Float64).requires_grad_();
        F.conv2d(x.to(ScalarType.Float64), w64, padding: [1, 1]).sum().backward();
        AssertClose(w64.grad!, w.grad!, "weight gradient");
    }

    [Fact]
    public void Results_are_bit_identical_across_runs_and_thread_counts()
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        var x = randn(19, 8, 16, 16);
        var w = randn(16, 8, 3, 3);
        var b = randn(16);
        var g = randn(19, 16, 16, 16);
        AssertBitIdenticalAtOneAndTwoThreads(x, w, b, g, (xs, ws, bs) => SimdConv2d.Apply(xs, ws, bs, 1, 1));
    }

    [Fact]
    public void It_serves_only_float32_cpu_convs_padded_by_at_most_the_kernel_less_one()
    {
        using var scope = NewDisposeScope();
        Assert.True(SimdConv2d.Serves(zeros(1, 4, 10, 10), zeros(2, 4, 3, 3), 2, 0));
        Assert.False(SimdConv2d.Serves(zeros(1, 4, 10, 10), zeros(2, 4, 3, 3), 3, 1));
        Assert.False(SimdConv2d.Serves(zeros(1, 4, 10, 10), zeros(2, 4, 1, 1), 1, 0));
        Assert.False(
            SimdConv2d.Serves(
                zeros(1, 4, 10, 10, dtype: ScalarType.Float64),
                zeros(2, 4, 3, 3, dtype: ScalarType.Float64),
                1,
                1
            )
        );
        Assert.False(SimdConv2d.Serves(zeros(1, 5, 10, 10), zeros(2, 4, 3, 3), 1, 1));
        Assert.False(SimdConv2d.Serves(zeros(1, 4, 2, 10), zeros(2, 4, 5, 3), 1, 1));
        Assert.Throws<ArgumentException>(() => SimdConv2d.Apply(zeros(1, 4, 10, 10), zeros(2, 4, 3, 3), null, 3, 3));
    }

    [Fact]
    public void Plain_conv_modules_run_on_the_kernel_and_1x1_strided_dilated_grouped_or_other_padded_ones_stay_on_libtorch()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var x = randn(2, 4, 12, 14);
        var cases = new (Conv2d Conv, bool Served)[]
        {
            (nn.Conv2d(4, 8, 3, padding: 1), true),
            (nn.Conv2d(4, 8, 3), true),
            (nn.Conv2d(4, 6, 5, padding: Padding.Same), true),
            (nn.Conv2d(4, 8, 3, padding: Padding.Valid, bias: false), true),
            (nn.Conv2d(4, 8, 3, padding: 3), false),
            (nn.Conv2d(4, 8, 3, stride: 2, padding: 1), false),
            (nn.Conv2d(4, 8, 3, dilation: 2, padding: 2), false),
            (nn.Conv2d(4, 8, 3, padding: 1, groups: 2), false),
            (nn.Conv2d(4, 8, 3, padding: 1, padding_mode: PaddingModes.Reflect), false),
            (nn.Conv2d(4, 8, 4, padding: Padding.Same), false),
            (nn.Conv2d(4, 8, 1), false),
        };
        foreach (var (conv, served) in cases)
        {
            Assert.Equal(served, SimdConv2d.Serves(conv, x));
            using var expected = conv.call(x);
            using var actual = SimdConv2d.Call(conv, x, enabled: true);
            Assert.Equal(expected.shape, actual.shape);
            AssertClose(expected.to(ScalarType.Float64), actual, $"conv {conv}");
        }
    }
}
