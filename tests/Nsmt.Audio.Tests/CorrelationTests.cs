using Nsmt.Audio.Dsp;

namespace Nsmt.Audio.Tests;

public sealed class CorrelationTests
{
    [Fact]
    public void Pearson_matches_a_worked_example()
    {
        // By hand (and numpy.corrcoef): a = [1, 2, 3], b = [2, 4, 7]: cov 5, var 2 and 38/3, r = 5 / sqrt(76/3).
        Assert.Equal(0.9933992677987828, Correlation.Pearson([1f, 2f, 3f], [2f, 4f, 7f]), 12);
        Assert.Equal(-1.0, Correlation.Pearson([1f, 2f, 3f], [3f, 2f, 1f]), 12);
    }

    [Fact]
    public void Pearson_is_undefined_for_a_constant_or_empty_signal_and_refuses_unequal_lengths()
    {
        Assert.True(double.IsNaN(Correlation.Pearson([0.5f, 0.5f, 0.5f], [1f, 2f, 3f])));
        Assert.True(double.IsNaN(Correlation.Pearson([], [])));
        Assert.Throws<ArgumentException>(() => Correlation.Pearson([1f, 2f], [1f, 2f, 3f]));
    }
}
