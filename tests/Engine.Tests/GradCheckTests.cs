using Nsmt.Neural;
using F = TorchSharp.torch.nn.functional;

namespace Engine.Tests;

/// <summary>Autograd against central finite differences (float64), independent of PyTorch.</summary>
public class GradCheckTests
{
    private static void GradCheck(Func<Tensor, Tensor> f, long[] shape, long seed)
    {
        using var scope = NewDisposeScope();
        manual_seed(seed);
        var x = randn(shape, float64).requires_grad_();
        f(x).backward();
        var analytic = x.grad!.ToArray<double>();
        var values = x.detach().ToArray<double>();
        const double h = 1e-6;
        using var _ = no_grad();
        for (var i = 0; i < values.Length; i++)
        {
            double At(double delta)
            {
                var copy = (double[])values.Clone();
                copy[i] += delta;
                using var probe = tensor(copy, shape);
                using var y = f(probe);
                return y.item<double>();
            }
            var numeric = (At(h) - At(-h)) / (2 * h);
            Assert.True(
                Math.Abs(numeric - analytic[i]) <= 1e-6 + 1e-5 * Math.Abs(numeric),
                $"element {i}: autograd {analytic[i]:R}, finite difference {numeric:R}"
            );
        }
    }

    [Fact]
    public void Conv_tanh_softmax_chain()
    {
        manual_seed(1);
        using var w = randn([3, 2, 3], float64);
        GradCheck(
            x =>
                (F.softmax(F.conv1d(x, w, padding: 1).tanh(), 1) * arange(0, 3, dtype: float64).reshape(1, 3, 1)).sum(),
            [2, 2, 6],
            7
        );
    }

    [Fact]
    public void Norms_pooling_and_matmul_chain()
    {
        GradCheck(
            x =>
            {
                var y = F.layer_norm(x, [4]);
                var z = F.avg_pool2d(y.unsqueeze(0), [2, 2]).squeeze(0);
                return (z.matmul(z.transpose(1, 2)).exp() * 0.1).sum() + x.pow(3).mean();
            },
            [2, 4, 4],
            3
        );
    }

    [Fact]
    public void Cross_entropy_of_a_linear_layer()
    {
        manual_seed(2);
        using var target = tensor(new long[] { 2, 0, 1 });
        GradCheck(x => F.cross_entropy(F.gelu(x).matmul(x.t()), target, label_smoothing: 0.2), [3, 3], 5);
    }
}
