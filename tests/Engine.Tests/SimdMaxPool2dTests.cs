using Nsmt.Neural.Kernels;
using F = TorchSharp.torch.nn.functional;

namespace Engine.Tests;

/// <summary>
/// The hand-written SIMD 2x2 max pool (issue 29 item 4) against libtorch's max_pool2d, bit for bit in the output and the
/// input gradient (a max is exact, so the kernel must pick the very element libtorch picks): random data, ReLU'd data
/// with many tied windows (zeros of both signs among them, so a wrong pick shows in the bits), NaNs, odd sizes (floor
/// mode), widths that take the Vector512, Vector256 and one-float paths and their overlapping last vectors, and
/// non-contiguous inputs; its determinism across thread counts, and which modules it computes. build/test.sh runs
/// these tests also with DOTNET_PreferredVectorBitWidth=256 and DOTNET_EnableAVX=0 (the Vector256 and scalar kernels).
/// </summary>
public class SimdMaxPool2dTests
{
    public enum Data
    {
        Random,
        ReluTies,
        SignedZeros,
        NaNs,
        Infinities,
    }

    public static TheoryData<Data, int, int, int, int> Cases =>
        new()
        {
            // data, batch, channels, height, width
            { Data.Random, 4, 8, 32, 32 }, // cnn_micro's first pool
            { Data.ReluTies, 4, 16, 32, 32 }, // cnn_tiny's first pool
            { Data.ReluTies, 3, 32, 16, 16 }, // cnn_tiny's second pool
            { Data.SignedZeros, 2, 3, 16, 32 },
            { Data.SignedZeros, 2, 3, 6, 6 },
            { Data.NaNs, 2, 5, 12, 40 },
            { Data.NaNs, 2, 3, 7, 14 },
            { Data.Infinities, 2, 3, 8, 36 },
            { Data.Random, 2, 3, 9, 33 }, // odd height and width: the last row and column dropped
            { Data.ReluTies, 2, 3, 5, 21 }, // 10 outputs: Vector256 with an overlapping last vector
            { Data.ReluTies, 2, 3, 4, 46 }, // 23 outputs: Vector512 with an overlapping last vector
            { Data.Random, 1, 2, 3, 3 }, // one output
            { Data.ReluTies, 1, 1, 2, 70 },
        };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_libtorch_bit_for_bit_in_output_and_input_gradient(
        Data data,
        int batch,
        int channels,
        int height,
        int width
    )
    {
        using var scope = NewDisposeScope();
        manual_seed(29 + (int)data);
        var x = Input(data, batch, channels, height, width);
        AssertSameAsLibtorch(x);
    }

    [Fact]
    public void Non_contiguous_inputs_pool_as_libtorch_does()
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        var relu = Input(Data.ReluTies, 3, 4, 24, 20);
        AssertSameAsLibtorch(relu, leaf => leaf.transpose(2, 3)); // [B, C, W, H] strides
        AssertSameAsLibtorch(relu.permute(0, 2, 3, 1), leaf => leaf.permute(0, 3, 1, 2)); // channels last
        AssertSameAsLibtorch(relu, leaf => leaf[.., .., 1.., 3..]); // a window into a larger tensor
    }

    [Fact]
    public void Without_autograd_and_without_an_input_gradient_it_pools()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        var x = Input(Data.NaNs, 2, 3, 16, 32);
        using (no_grad())
        {
            Assert.Equal(F.max_pool2d(x, 2).bytes.ToArray(), SimdMaxPool2d.Apply(x).bytes.ToArray());
        }

        var y = SimdMaxPool2d.Apply(x);
        Assert.False(y.requires_grad);
        Assert.Equal(F.max_pool2d(x, 2).bytes.ToArray(), y.bytes.ToArray());
    }

    [Fact]
    public void Results_are_bit_identical_across_runs_and_thread_counts()
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        var x = Input(Data.ReluTies, 7, 5, 16, 32);
        var g = randn(7, 5, 8, 16);
        var threads = get_num_threads();
        try
        {
            var runs = new[] { 1, 2, 2 }
                .Select(n =>
                {
                    set_num_threads(n);
                    var xs = x.clone().requires_grad_();
                    var y = SimdMaxPool2d.Apply(xs);
                    y.backward([g]);
                    return new[] { y.bytes.ToArray(), xs.grad!.bytes.ToArray() };
                })
                .ToArray();
            Assert.All(runs, run => Assert.Equal(runs[0][0], run[0]));
            Assert.All(runs, run => Assert.Equal(runs[0][1], run[1]));
        }
        finally
        {
            set_num_threads(threads);
        }
    }

    [Fact]
    public void It_serves_only_float32_cpu_batches_of_planes_at_least_2x2()
    {
        using var scope = NewDisposeScope();
        Assert.True(SimdMaxPool2d.Serves(zeros(1, 1, 2, 2)));
        Assert.False(SimdMaxPool2d.Serves(zeros(1, 1, 1, 8)));
        Assert.False(SimdMaxPool2d.Serves(zeros(1, 1, 8, 1)));
        Assert.False(SimdMaxPool2d.Serves(zeros(3, 8, 8)));
        Assert.False(SimdMaxPool2d.Serves(zeros(1, 1, 8, 8, dtype: ScalarType.Float64)));
        Assert.Throws<ArgumentException>(() => SimdMaxPool2d.Apply(zeros(1, 1, 1, 8)));
    }

    [Fact]
    public void Plain_2x2_pool_modules_run_on_the_kernel_and_other_geometries_stay_on_libtorch()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var x = Input(Data.ReluTies, 2, 4, 13, 18);
        var cases = new (MaxPool2d Pool, bool Served)[]
        {
            (nn.MaxPool2d(2), true),
            (nn.MaxPool2d(2, stride: 2), true),
            (nn.MaxPool2d([2, 2]), true),
            (nn.MaxPool2d(2, stride: 1), false),
            (nn.MaxPool2d(3), false),
            (nn.MaxPool2d([2, 1]), false),
            (nn.MaxPool2d(2, padding: 1), false),
            (nn.MaxPool2d(2, dilation: 2), false),
            (nn.MaxPool2d(2, ceil_mode: true), false),
        };
        foreach (var (pool, served) in cases)
        {
            Assert.Equal(served, SimdMaxPool2d.Serves(pool, x));
            using var expected = pool.call(x);
            using var actual = SimdMaxPool2d.Call(pool, x, enabled: true);
            Assert.Equal(expected.shape, actual.shape);
            Assert.Equal(expected.bytes.ToArray(), actual.bytes.ToArray());
        }

        using var hooked = nn.MaxPool2d(2);
        var calls = 0;
        hooked.register_forward_hook(
            (_, _, output) =>
            {
                calls++;
                return output;
            }
        );
        using var viaModule = SimdMaxPool2d.Call(hooked, x, enabled: true);
        Assert.Equal(1, calls);
    }

    private static Tensor Input(Data data, int batch, int channels, int height, int width)
    {
        var x = randn(batch, channels, height, width);
        return data switch
        {
            Data.Random => x,
            // Few distinct values, half of them zero: most windows tie.
            Data.ReluTies => F.relu((x * 1.5).round()),
            Data.SignedZeros => where(x > 0.7, x, where(randn(x.shape) > 0, zeros_like(x), -zeros_like(x))),
            Data.NaNs => where(rand(x.shape) < 0.2, full_like(x, float.NaN), (x * 1.5).round()),
            Data.Infinities => where(
                rand(x.shape) < 0.3,
                where(x > 0, full_like(x, float.PositiveInfinity), full_like(x, float.NegativeInfinity)),
                F.relu(x.round())
            ),
            _ => throw new ArgumentOutOfRangeException(nameof(data)),
        };
    }

    // libtorch's max_pool2d and its gradient against the kernel's, bit for bit, on view(source) (the input itself by
    // default), for an output gradient with no zeros (a misrouted gradient cannot hide as a zero).
    private static void AssertSameAsLibtorch(Tensor source, Func<Tensor, Tensor>? view = null)
    {
        view ??= leaf => leaf;
        var (reference, ours) = (source.detach().clone().requires_grad_(), source.detach().clone().requires_grad_());
        var (referenceInput, input) = (view(reference), view(ours));
        var g = rand(input.size(0), input.size(1), input.size(2) / 2, input.size(3) / 2) + 1;
        var expected = F.max_pool2d(referenceInput, 2);
        expected.backward([g]);
        Assert.True(SimdMaxPool2d.Serves(input));
        var actual = SimdMaxPool2d.Apply(input);
        actual.backward([g]);
        Assert.Equal(expected.shape, actual.shape);
        Assert.Equal(expected.contiguous().bytes.ToArray(), actual.contiguous().bytes.ToArray());
        Assert.Equal(reference.grad!.contiguous().bytes.ToArray(), ours.grad!.contiguous().bytes.ToArray());
    }
}
