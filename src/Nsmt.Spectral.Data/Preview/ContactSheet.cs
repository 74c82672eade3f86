using System.Globalization;
using Nsmt.Core;
using Nsmt.Plots;

namespace Nsmt.Spectral.Data.Preview;

/// <summary>
/// A PNG contact sheet of the first records: each spectrogram (channel 0, low frequencies at the
/// bottom, magma-like colours) with its index and parameter values (P0 = first parameter name, ...).
/// </summary>
public static class ContactSheet
{
    private const int Columns = 4;
    private const int FontScale = 2;

    public static void Write(
        string path,
        ReadOnlySpan<byte> records,
        int recordSize,
        int height,
        int width,
        int channels,
        IReadOnlyList<ParameterSpec> heads
    )
    {
        var count = records.Length / recordSize;
        if (count == 0)
        {
            throw new ArgumentException("no records to preview");
        }

        var zoom = Math.Max(1, 128 / Math.Max(height, width));
        var labelLines = 1 + heads.Count;
        var lineHeight = (TinyFont.GlyphHeight + 2) * FontScale;
        var tileW = Math.Max(width * zoom, 14 * (TinyFont.GlyphWidth + 1) * FontScale);
        var tileH = (height * zoom) + (labelLines * lineHeight) + 4;
        var columns = Math.Min(Columns, count);
        var rows = (count + columns - 1) / columns;
        var canvasW = (columns * (tileW + 8)) + 8;
        var canvasH = (rows * (tileH + 8)) + 8;
        var rgb = new byte[canvasW * canvasH * 3];
        Array.Fill(rgb, (byte)24);

        for (var n = 0; n < count; n++)
        {
            var record = records.Slice(n * recordSize, recordSize);
            var x0 = 8 + ((n % columns) * (tileW + 8));
            var y0 = 8 + ((n / columns) * (tileH + 8));
            var image = record[(VimhFormat.FixedHeaderBytes + (2 * heads.Count))..];
            for (var y = 0; y < height * zoom; y++)
            {
                var row = height - 1 - (y / zoom); // row 0 (lowest frequency) at the bottom
                for (var x = 0; x < width * zoom; x++)
                {
                    var v = image[(row * width) + (x / zoom)];
                    (var r, var g, var b) = Colour(v);
                    var o = (((y0 + y) * canvasW) + x0 + x) * 3;
                    rgb[o] = r;
                    rgb[o + 1] = g;
                    rgb[o + 2] = b;
                }
            }

            var ty = y0 + (height * zoom) + 4;
            TinyFont.Draw(
                rgb,
                canvasW,
                canvasH,
                x0,
                ty,
                "#" + n.ToString(CultureInfo.InvariantCulture),
                FontScale,
                255,
                255,
                255
            );
            for (var h = 0; h < heads.Count; h++)
            {
                var q = record[16 + (2 * h)];
                var value = heads[h].Decode(q).ToString("G4", CultureInfo.InvariantCulture);
                TinyFont.Draw(
                    rgb,
                    canvasW,
                    canvasH,
                    x0,
                    ty + ((h + 1) * lineHeight),
                    $"P{h}={value}",
                    FontScale,
                    200,
                    220,
                    255
                );
            }
        }

        _ = channels; // channel 0 is shown; the others are envelopes or copies
        AtomicFile.WriteAllBytes(path, PngEncoder.EncodeRgb(canvasW, canvasH, rgb));
    }

    // A simple black-purple-orange-yellow ramp, readable for spectrograms.
    private static (byte R, byte G, byte B) Colour(byte v)
    {
        var t = v / 255.0;
        var r = Math.Clamp(1.6 * t, 0, 1);
        var g = Math.Clamp((1.6 * t) - 0.6, 0, 1);
        var b = Math.Clamp(t < 0.5 ? 0.2 + (t * 0.9) : 0.65 - ((t - 0.5) * 1.3), 0, 1);
        return ((byte)(r * 255), (byte)(g * 255), (byte)(b * 255));
    }
}
