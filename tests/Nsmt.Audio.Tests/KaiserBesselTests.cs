using Nsmt.Audio.Dsp;

namespace Nsmt.Audio.Tests;

public sealed class KaiserBesselTests
{
    [Theory]
    // Abramowitz & Stegun, table 9.8 (I0(x)): the values a Kaiser window is built from.
    [InlineData(0.0, 1.0)]
    [InlineData(1.0, 1.266065878)]
    [InlineData(5.0, 27.23987182)]
    [InlineData(10.0, 2815.716628)]
    public void BesselI0_matches_the_tables(double x, double expected) =>
        Assert.Equal(expected, Window.BesselI0(x), expected * 1e-9);
}
