using System.Globalization;

namespace Nsmt.Plots;

/// <summary>A colour scale from 0 to 1, linearly interpolated between evenly spaced anchor colours.</summary>
public sealed class Colormap
{
    private readonly (byte R, byte G, byte B)[] _anchors;

    private Colormap(string name, params string[] anchors)
    {
        Name = name;
        _anchors = anchors.Select(ParseHex).ToArray();
    }

    /// <summary>matplotlib's viridis (perceptually uniform), sampled at ten points.</summary>
    public static Colormap Viridis { get; } =
        new(
            "viridis",
            "#440154",
            "#482878",
            "#3E4A89",
            "#31688E",
            "#26828E",
            "#1F9E89",
            "#35B779",
            "#6DCD59",
            "#B4DE2C",
            "#FDE725"
        );

    /// <summary>matplotlib's magma, sampled at ten points.</summary>
    public static Colormap Magma { get; } =
        new(
            "magma",
            "#000004",
            "#180F3E",
            "#451077",
            "#721F81",
            "#9F2F7F",
            "#CD4071",
            "#F1605D",
            "#FD9567",
            "#FEC98D",
            "#FCFDBF"
        );

    /// <summary>White to dark blue, for confusion matrices and counts.</summary>
    public static Colormap Blues { get; } =
        new("blues", "#F7FBFF", "#DEEBF7", "#C6DBEF", "#9ECAE1", "#6BAED6", "#4292C6", "#2171B5", "#08519C", "#08306B");

    public string Name { get; }

    /// <summary>The colour at <paramref name="t"/> (clamped to [0, 1]; NaN gives the low end).</summary>
    public (byte R, byte G, byte B) At(double t)
    {
        if (!(t > 0))
        {
            return _anchors[0];
        }

        if (t >= 1)
        {
            return _anchors[^1];
        }

        var position = t * (_anchors.Length - 1);
        var i = (int)position;
        var f = position - i;
        var (a, b) = (_anchors[i], _anchors[i + 1]);
        return (Mix(a.R, b.R, f), Mix(a.G, b.G, f), Mix(a.B, b.B, f));
    }

    public string HexAt(double t)
    {
        var (r, g, b) = At(t);
        return string.Create(CultureInfo.InvariantCulture, $"#{r:X2}{g:X2}{b:X2}");
    }

    /// <summary>Perceived brightness in [0, 1], to choose a readable text colour over a cell.</summary>
    public double LuminanceAt(double t)
    {
        var (r, g, b) = At(t);
        return ((0.299 * r) + (0.587 * g) + (0.114 * b)) / 255.0;
    }

    private static byte Mix(byte a, byte b, double f) => (byte)Math.Round(a + ((b - a) * f));

    private static (byte, byte, byte) ParseHex(string hex) =>
        (
            byte.Parse(hex.AsSpan(1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture),
            byte.Parse(hex.AsSpan(3, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture),
            byte.Parse(hex.AsSpan(5, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture)
        );
}
