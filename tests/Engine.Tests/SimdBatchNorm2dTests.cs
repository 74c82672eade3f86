using System.Runtime.InteropServices;
using Nsmt.Neural.Kernels;
using static Engine.Tests.SimdConvTests;
using F = TorchSharp.torch.nn.functional;

namespace Engine.Tests;

/// <summary>
/// The hand-written SIMD training-mode batch norm (issue 29 item 4) against libtorch's batch_norm in float64: output and
/// the input, weight and bias gradients over shapes that reach every path of the kernel (one and many channels, planes
/// not a multiple of the vector width and smaller than one, batches of one and 64, with and without affine parameters,
/// inputs with a large mean); the running statistics and num_batches_tracked against nn.BatchNorm2d's own after several
/// steps (momentum 0.1 and null, and a module tracking none); determinism across thread counts; which modules it
/// computes. Run also with DOTNET_PreferredVectorBitWidth=256 and DOTNET_EnableAVX=0 for the Vector256 and scalar
/// instantiations.
/// </summary>
public class SimdBatchNorm2dTests
{
    public static TheoryData<int, int, int, int, bool, double> Shapes =>
        new()
        {
            // batch, channels, height, width, affine, mean of the input
            { 64, 16, 32, 32, true, 0 }, // cnn_tiny's first batch norm
            { 64, 32, 16, 16, true, 0 }, // cnn_tiny's second
            { 64, 8, 5, 7, true, 0 }, // 35-float planes: vector tails
            { 1, 17, 5, 7, true, 0 }, // one item, 17 channels
            { 1, 1, 5, 7, false, 0 },
            { 2, 1, 1, 1, true, 0 }, // planes of one float: all tail
            { 3, 16, 3, 5, false, 0 },
            { 1, 8, 80, 80, true, 0 }, // planes longer than one float32 accumulator chunk
            { 64, 8, 5, 7, true, 1000 }, // large mean: a naive float32 E[x^2] - E[x]^2 loses the variance
            { 4, 17, 16, 16, false, -3000 },
        };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Matches_float64_batch_norm_in_output_and_all_gradients(
        int batch,
        int channels,
        int height,
        int width,
        bool affine,
        double mean
    )
    {
        using var scope = NewDisposeScope();
        manual_seed(29);
        // Float32 inputs: the float64 reference normalizes the very values the kernel sees.
        var x = (randn(batch, channels, height, width) * (1 + rand(1, channels, 1, 1)) + mean).to(ScalarType.Float64);
        var w = affine ? randn(channels, dtype: ScalarType.Float64) : null;
        var b = affine ? randn(channels, dtype: ScalarType.Float64) : null;
        var g = randn(batch, channels, height, width, dtype: ScalarType.Float64);

        var x64 = x.clone().requires_grad_();
        var (w64, b64) = (w?.clone().requires_grad_(), b?.clone().requires_grad_());
        var y64 = F.batch_norm(x64, null, null, w64, b64, training: true, eps: 1e-5);
        y64.backward([g]);

        var x32 = x.to(ScalarType.Float32).requires_grad_();
        var w32 = w?.to(ScalarType.Float32).requires_grad_();
        var b32 = b?.to(ScalarType.Float32).requires_grad_();
        Assert.True(SimdBatchNorm2d.Serves(x32));
        var y32 = SimdBatchNorm2d.Apply(x32, w32, b32, 1e-5);
        y32.backward([g.to(ScalarType.Float32)]);

        AssertClose(y64, y32, "output");
        AssertClose(x64.grad!, x32.grad!, "input gradient");
        if (affine)
        {
            AssertClose(w64!.grad!, w32!.grad!, "weight gradient");
            AssertClose(b64!.grad!, b32!.grad!, "bias gradient");
        }
    }

    [Fact]
    public void Without_an_input_gradient_it_computes_the_weight_and_bias_gradients()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var x = randn(4, 6, 9, 11);
        var (w, b) = (randn(6).requires_grad_(), randn(6).requires_grad_());
        var y = SimdBatchNorm2d.Apply(x, w, b, 1e-3);
        var (w64, b64) = (
            w.detach().to(ScalarType.Float64).requires_grad_(),
            b.detach().to(ScalarType.Float64).requires_grad_()
        );
        var y64 = F.batch_norm(x.to(ScalarType.Float64), null, null, w64, b64, training: true, eps: 1e-3);
        AssertClose(y64, y, "output");
        y.square().sum().backward();
        y64.square().sum().backward();
        Assert.Null(x.grad);
        AssertClose(w64.grad!, w.grad!, "weight gradient");
        AssertClose(b64.grad!, b.grad!, "bias gradient");
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(null)] // cumulative average: 1 / num_batches_tracked
    [InlineData(0.7)]
    public void A_module_in_training_updates_its_running_statistics_as_libtorch_does(double? momentum)
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        using var reference = nn.BatchNorm2d(5);
        using var ours = nn.BatchNorm2d(5);
        foreach (var norm in new[] { reference, ours })
        {
            norm.momentum = momentum;
            using (no_grad())
            {
                norm.weight.copy_(tensor(new[] { 1.5f, -0.5f, 2f, 1f, 0.25f }));
                norm.bias!.copy_(tensor(new[] { 0.1f, 0.2f, -0.3f, 0f, 4f }));
            }
        }

        for (var step = 0; step < 3; step++)
        {
            var x = randn(6, 5, 7, 9) * (step + 1) + (10 * step);
            Assert.True(SimdBatchNorm2d.Serves(ours, x));
            var expected = reference.call(x);
            var actual = SimdBatchNorm2d.Call(ours, x, enabled: true);
            AssertClose(expected.to(ScalarType.Float64), actual, $"output of step {step}");
        }

        Assert.Equal(3L, ours.num_batches_tracked!.item<long>());
        Assert.Equal(reference.num_batches_tracked!.item<long>(), ours.num_batches_tracked!.item<long>());
        AssertClose(reference.running_mean!.to(ScalarType.Float64), ours.running_mean!, "running mean");
        AssertClose(reference.running_var!.to(ScalarType.Float64), ours.running_var!, "running variance");
        // The statistics moved: a kernel that left them alone fails above, not only here.
        Assert.True(ours.running_mean!.abs().max().item<float>() > 1);

        // Evaluation mode normalizes by the running statistics: the module computes it, the same bits.
        reference.eval();
        ours.eval();
        var test = randn(2, 5, 4, 4) + 10;
        Assert.False(SimdBatchNorm2d.Serves(ours, test));
        using var viaModule = ours.call(test);
        using var viaCall = SimdBatchNorm2d.Call(ours, test, enabled: true);
        Assert.Equal(viaModule.bytes.ToArray(), viaCall.bytes.ToArray());
        AssertClose(reference.call(test).to(ScalarType.Float64), viaCall, "evaluation output");
    }

    [Fact]
    public void A_module_without_running_statistics_or_affine_parameters_normalizes_by_the_batch()
    {
        using var scope = NewDisposeScope();
        manual_seed(12);
        using var norm = nn.BatchNorm2d(3, affine: false, track_running_stats: false);
        var x = randn(4, 3, 6, 5) * 3 - 2;
        Assert.True(SimdBatchNorm2d.Serves(norm, x));
        var actual = SimdBatchNorm2d.Call(norm, x, enabled: true);
        AssertClose(norm.call(x).to(ScalarType.Float64), actual, "output");
        Assert.Null(norm.running_mean);
        Assert.Null(norm.num_batches_tracked);
    }

    [Fact]
    public void Non_contiguous_inputs_normalize_as_libtorch_does()
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        var source = randn(3, 10, 4, 6) + 2;
        foreach (
            var view in new Func<Tensor, Tensor>[]
            {
                t => t.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2), // channels last
                t => t[.., 2..6, .., 1..], // a window into a larger tensor
            }
        )
        {
            var (reference, ours) = (source.to(ScalarType.Float64).requires_grad_(), source.clone().requires_grad_());
            var (input64, input) = (view(reference), view(ours));
            Assert.False(input.is_contiguous());
            var g = randn(input.shape);
            var (w, b) = (randn(input.size(1)), randn(input.size(1)));
            var expected = F.batch_norm(input64, null, null, w.to(ScalarType.Float64), b.to(ScalarType.Float64), true);
            expected.backward([g.to(ScalarType.Float64)]);
            var actual = SimdBatchNorm2d.Apply(input, w, b, 1e-5);
            actual.backward([g]);
            AssertClose(expected, actual, "output");
            AssertClose(reference.grad!, ours.grad!, "input gradient");
        }
    }

    [Fact]
    public void Results_are_bit_identical_across_runs_and_thread_counts()
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        var x = randn(9, 13, 11, 12) + 5;
        var w = randn(13);
        var b = randn(13);
        var g = randn(9, 13, 11, 12);
        AssertBitIdenticalAtOneAndTwoThreads(x, w, b, g, (xs, ws, bs) => SimdBatchNorm2d.Apply(xs, ws, bs, 1e-5));
    }

    [Fact]
    public void It_serves_only_float32_cpu_batches_with_more_than_one_value_per_channel()
    {
        using var scope = NewDisposeScope();
        Assert.True(SimdBatchNorm2d.Serves(zeros(2, 3, 1, 1)));
        Assert.True(SimdBatchNorm2d.Serves(zeros(1, 3, 1, 2)));
        Assert.False(SimdBatchNorm2d.Serves(zeros(1, 3, 1, 1)));
        Assert.False(SimdBatchNorm2d.Serves(zeros(3, 8, 8)));
        Assert.False(SimdBatchNorm2d.Serves(zeros(2, 3, 4, 4, dtype: ScalarType.Float64)));
        Assert.Throws<ArgumentException>(() => SimdBatchNorm2d.Apply(zeros(1, 3, 1, 1), null, null, 1e-5));
        Assert.Throws<ArgumentException>(() => SimdBatchNorm2d.Apply(zeros(2, 3, 4, 4), ones(4), null, 1e-5));
        Assert.Throws<ArgumentException>(() =>
            SimdBatchNorm2d.Apply(zeros(2, 3, 4, 4), null, null, 1e-5, runningMean: zeros(3))
        );

        using var norm = nn.BatchNorm2d(3);
        Assert.True(SimdBatchNorm2d.Serves(norm, zeros(2, 3, 4, 4)));
        Assert.False(SimdBatchNorm2d.Serves(norm, zeros(2, 4, 4, 4))); // the module's error, from the module
        Assert.Throws<ExternalException>(() => SimdBatchNorm2d.Call(norm, zeros(2, 4, 4, 4), enabled: true));
        norm.eval();
        Assert.False(SimdBatchNorm2d.Serves(norm, zeros(2, 3, 4, 4)));
    }

    [Fact]
    public void A_module_with_forward_hooks_or_the_kernel_disabled_is_called_itself()
    {
        using var scope = NewDisposeScope();
        manual_seed(8);
        var x = randn(4, 3, 5, 5);
        using var norm = nn.BatchNorm2d(3);
        using var disabled = SimdBatchNorm2d.Call(norm, x, enabled: false);
        Assert.Equal(norm.call(x).bytes.ToArray(), disabled.bytes.ToArray());
        Assert.Equal(2L, norm.num_batches_tracked!.item<long>());

        var calls = 0;
        norm.register_forward_hook(
            (_, _, output) =>
            {
                calls++;
                return output;
            }
        );
        using var hooked = SimdBatchNorm2d.Call(norm, x, enabled: true);
        Assert.Equal(1, calls);
        Assert.Equal(3L, norm.num_batches_tracked!.item<long>());
    }
}
