namespace Nsmt.Plots.Tests;

/// <summary>Tick placement, tick labels and colour maps.</summary>
public sealed class ScaleTests
{
    [Fact]
    public void Linear_ticks_fall_on_nice_steps()
    {
        Assert.Equal([0, 0.2, 0.4, 0.6, 0.8, 1.0], Ticks.Linear(0, 1, 5));
        Assert.Equal([-2, 0, 2, 4, 6], Ticks.Linear(-3, 7, 5));
        Assert.Equal([0.3, 0.4], Ticks.Linear(0.25, 0.45, 2));
        Assert.Equal(0.5, Ticks.NiceStep(0.23));
        Assert.Equal(1000, Ticks.NiceStep(999));
    }

    [Fact]
    public void Log_ticks_mark_decades_and_add_2_and_5_over_short_ranges()
    {
        Assert.Equal([100, 1000, 10000], Ticks.Log(20, 20000));
        Assert.Equal([1, 2, 5, 10, 20, 50, 100], Ticks.Log(1, 100));
        Assert.Empty(Ticks.Log(0, 10));
    }

    [Theory]
    [InlineData(0, "0")]
    [InlineData(0.25, "0.25")]
    [InlineData(1000, "1k")]
    [InlineData(20000, "20k")]
    [InlineData(1500, "1.5k")]
    [InlineData(0.00001, "1e-5")]
    [InlineData(-3, "-3")]
    public void Tick_labels_are_short(double value, string label) => Assert.Equal(label, Ticks.Label(value));

    [Fact]
    public void Colormaps_end_at_matplotlibs_colours()
    {
        // matplotlib: viridis(0) = #440154, viridis(1) = #fde725, viridis(0.5) = #21918c; magma(0) = #000004, magma(1) = #fcfdbf.
        Assert.Equal("#440154", Colormap.Viridis.HexAt(0));
        Assert.Equal("#FDE725", Colormap.Viridis.HexAt(1));
        Assert.Equal("#000004", Colormap.Magma.HexAt(0));
        Assert.Equal("#FCFDBF", Colormap.Magma.HexAt(1.5));
        var (r, g, b) = Colormap.Viridis.At(0.5);
        Assert.InRange(r, 0x21 - 3, 0x21 + 3);
        Assert.InRange(g, 0x91 - 3, 0x91 + 3);
        Assert.InRange(b, 0x8c - 3, 0x8c + 3);
        Assert.Equal(Colormap.Viridis.At(0), Colormap.Viridis.At(double.NaN));
    }
}
