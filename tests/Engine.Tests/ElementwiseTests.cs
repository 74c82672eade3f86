using Nsmt.Neural;
using F = TorchSharp.torch.nn.functional;

namespace Engine.Tests;

public class ElementwiseTests
{
    private static Tensor X => Golden.Get("ew.x");
    private static Tensor Y => Golden.Get("ew.y");

    public static TheoryData<string> Cases =>
        new()
        {
            "add",
            "sub",
            "mul",
            "div",
            "pow",
            "pow_scalar",
            "rsub",
            "rdiv",
            "exp",
            "log",
            "sqrt",
            "tanh",
            "sigmoid",
            "relu",
            "gelu",
            "gelu_tanh",
            "silu",
            "leaky_relu",
            "softmax",
            "log_softmax",
            "clamp",
            "where",
            "masked_fill",
            "gt",
            "maximum",
            "abs",
            "erfinv",
            "sum1",
            "mean0",
            "std1",
            "var0_biased",
            "amax1",
            "logsumexp1",
            "norm",
            "sum_all",
            "prod1",
            "max1_values",
            "cumsum1",
        };

    private static Tensor Compute(string name, Tensor x, Tensor y) =>
        name switch
        {
            "add" => x + y,
            "sub" => x - y,
            "mul" => x * y,
            "div" => x / y,
            "pow" => y.pow(x),
            "pow_scalar" => x.pow(2),
            "rsub" => 1.5 - x,
            "rdiv" => 2.0 / y,
            "exp" => x.exp(),
            "log" => y.log(),
            "sqrt" => y.sqrt(),
            "tanh" => x.tanh(),
            "sigmoid" => x.sigmoid(),
            "relu" => x.relu(),
            "gelu" => F.gelu(x),
            "gelu_tanh" => F.gelu(x, GELU.Approximate.tanh),
            "silu" => F.silu(x),
            "leaky_relu" => F.leaky_relu(x, 0.2),
            "softmax" => F.softmax(x, 1),
            "log_softmax" => F.log_softmax(x, 1),
            "clamp" => x.clamp(-0.5, 0.7),
            "where" => where(x > 0, x, y),
            "masked_fill" => x.masked_fill(x < 0, -9.0),
            "gt" => (x > y).to(float32),
            "maximum" => maximum(x, y),
            "abs" => x.abs(),
            "erfinv" => x.clamp(-0.9, 0.9).erfinv(),
            "sum1" => x.sum(1),
            "mean0" => x.mean([0]),
            "std1" => x.std(1),
            "var0_biased" => x.var(0, unbiased: false),
            "amax1" => x.amax([1]),
            "logsumexp1" => x.logsumexp(1),
            "norm" => x.norm().reshape(1),
            "sum_all" => x.sum().reshape(1),
            "prod1" => x.prod(1),
            "max1_values" => x.max(1).values,
            "cumsum1" => x.cumsum(1),
            _ => throw new ArgumentException(name),
        };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_pytorch(string name)
    {
        using var scope = NewDisposeScope();
        Golden.AssertClose($"ew.{name}", Compute(name, X, Y), atol: 1e-6, rtol: 1e-5);
    }

    [Fact]
    public void Argmax_and_max_indices_match_pytorch()
    {
        using var scope = NewDisposeScope();
        Assert.Equal(Golden.Get("ew.argmax1").ToArray<long>(), X.argmax(1).ToArray<long>());
        Assert.Equal(Golden.Get("ew.max1_indices").ToArray<long>(), X.max(1).indexes.ToArray<long>());
    }

    [Fact]
    public void In_place_variants_modify_the_tensor_and_equal_out_of_place()
    {
        using var scope = NewDisposeScope();
        var a = X.clone();
        a.mul_(2).add_(Y, alpha: 0.5).tanh_();
        Golden.AssertClose((X * 2 + Y * 0.5).tanh(), a, 1e-7, 0);
    }

    [Fact]
    public void Integer_scalars_keep_float_tensors_float_and_arange_of_integers_is_int64()
    {
        using var scope = NewDisposeScope();
        Assert.Equal(ScalarType.Float32, (X * 2).dtype);
        Assert.Equal(ScalarType.Int64, arange(0, 5).dtype);
        Assert.Equal(new long[] { 0, 2, 4 }, arange(0, 5, 2).ToArray<long>());
        Assert.Equal(new float[] { 0, 0.25f, 0.5f, 0.75f, 1 }, linspace(0, 1, 5).ToArray<float>());
    }

    [Fact]
    public void Creation_from_arrays_round_trips_every_dtype()
    {
        using var scope = NewDisposeScope();
        Assert.Equal(new[] { 1.5f, -2f }, tensor(new[] { 1.5f, -2f }).ToArray<float>());
        Assert.Equal(new[] { 1.5, -2 }, tensor(new[] { 1.5, -2 }).ToArray<double>());
        Assert.Equal(new[] { 3L, -4L }, tensor(new[] { 3L, -4L }).ToArray<long>());
        Assert.Equal(new[] { 3, -4 }, tensor(new[] { 3, -4 }).ToArray<int>());
        Assert.Equal(new byte[] { 0, 255 }, tensor(new byte[] { 0, 255 }).ToArray<byte>());
        Assert.Equal(new[] { true, false }, tensor(new[] { true, false }).ToArray<bool>());
        var m = tensor(
            new float[,]
            {
                { 1, 2, 3 },
                { 4, 5, 6 },
            }
        );
        Assert.Equal(new long[] { 2, 3 }, m.shape);
        Assert.Equal(6f, m[1][2].item<float>());
        Assert.Equal(new float[] { 1, 0, 0, 1 }, eye(2).ToArray<float>());
        Assert.Equal(7f, full([2, 2], 7f).sum().item<float>() / 4);
    }

    [Fact]
    public void Random_streams_match_pytorch_given_the_seed()
    {
        using var scope = NewDisposeScope();
        manual_seed(6);
        Assert.Equal(Golden.Get("rng.randperm").ToArray<long>(), randperm(50).ToArray<long>());
        Golden.AssertEqual(Golden.Get("rng.rand"), rand(20), "rand");
        Golden.AssertEqual(Golden.Get("rng.randn"), randn(20), "randn");
        Assert.Equal(Golden.Get("rng.randint").ToArray<long>(), randint(3, 17, [20]).ToArray<long>());
        manual_seed(5);
        Golden.AssertEqual(Golden.Get("rng.dropout"), F.dropout(ones(1000), 0.3, training: true), "dropout");
    }

    [Fact]
    public void Rng_state_can_be_saved_and_restored()
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        var state = get_rng_state();
        var first = rand(10).ToArray<float>();
        set_rng_state(state);
        Assert.Equal(first, rand(10).ToArray<float>());
    }
}
