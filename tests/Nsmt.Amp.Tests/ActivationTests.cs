using Nsmt.Amp.Engine;

namespace Nsmt.Amp.Tests;

public sealed class ActivationTests
{
    private static float[] Sweep()
    {
        var values = new List<float>();
        for (double x = -12; x <= 12; x += 0.000731)
        {
            values.Add((float)x);
        }

        values.AddRange([0f, -0f, 1e-30f, -1e-30f, 0.625f, -0.625f, 0.62499994f, 9f, 50f, -50f, 1e30f, -1e30f]);
        return values.ToArray();
    }

    [Fact]
    public void Accurate_tanh_is_within_a_few_ulp_of_the_true_value()
    {
        var x = Sweep();
        var y = (float[])x.Clone();
        AccurateTanh.Apply(y);

        for (var i = 0; i < x.Length; i++)
        {
            var exact = Math.Tanh(x[i]);
            var ulp = Math.Max(Math.Abs(exact), 1e-38) * Math.Pow(2, -23);
            Assert.True(Math.Abs(y[i] - exact) <= 4 * ulp, $"tanh({x[i]:G9}) = {y[i]:G9}, exact {exact:G12}");
        }
    }

    [Fact]
    public void Accurate_tanh_tail_elements_get_the_same_values_as_vector_elements()
    {
        var x = Sweep().Take(21).ToArray(); // 21 = 2 vectors + a tail of 5
        var whole = (float[])x.Clone();
        AccurateTanh.Apply(whole);

        for (var i = 0; i < x.Length; i++)
        {
            Assert.Equal(whole[i], AccurateTanh.Tanh(x[i]));
        }
    }

    /// <summary>Like Core's, the float32 formula overflows (x^2 = inf, NaN result) beyond |x| ~ 1e19.</summary>
    private static float[] FastSweep() => Sweep().Where(v => Math.Abs(v) < 1e6).ToArray();

    [Fact]
    public void Fast_tanh_follows_the_spec_formula()
    {
        var x = FastSweep();
        var y = new float[x.Length];
        FastTanh.Tanh(x, y);

        for (var i = 0; i < x.Length; i++)
        {
            var expected = ReferenceModels.FastTanh(x[i]);
            Assert.True(Math.Abs(y[i] - expected) <= 1e-6 * Math.Max(1, Math.Abs(expected)), $"fast_tanh({x[i]})");
            Assert.Equal(FastTanh.Tanh(x[i]), y[i]); // vector and scalar paths agree
        }
    }

    [Fact]
    public void Fast_sigmoid_is_half_fast_tanh_of_half_x_plus_one_half()
    {
        var x = FastSweep();
        var y = new float[x.Length];
        FastTanh.Sigmoid(x, y);

        for (var i = 0; i < x.Length; i++)
        {
            var expected = 0.5 * (ReferenceModels.FastTanh(0.5 * x[i]) + 1);
            Assert.True(Math.Abs(y[i] - expected) <= 1e-6, $"fast_sigmoid({x[i]})");
        }
    }
}
