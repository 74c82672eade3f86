using Nsmt.Core;
using System.Globalization;
using Nsmt.Audio;
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

    public static void Write(string path, ReadOnlySpan<byte> records, int recordSize, int height, int width, int channels,
        IReadOnlyList<ParameterSpec> heads)
    {
        int count = records.Length / recordSize;
        if (count == 0)
        {
            throw new ArgumentException("no records to preview");
        }

        int zoom = Math.Max(1, 128 / Math.Max(height, width));
        int labelLines = 1 + heads.Count;
        int lineHeight = (TinyFont.GlyphHeight + 2) * FontScale;
        int tileW = Math.Max(width * zoom, 14 * (TinyFont.GlyphWidth + 1) * FontScale);
        int tileH = (height * zoom) + (labelLines * lineHeight) + 4;
        int columns = Math.Min(Columns, count);
        int rows = (count + columns - 1) / columns;
        int canvasW = (columns * (tileW + 8)) + 8;
        int canvasH = (rows * (tileH + 8)) + 8;
        var rgb = new byte[canvasW * canvasH * 3];
        Array.Fill(rgb, (byte)24);

        for (int n = 0; n < count; n++)
        {
            ReadOnlySpan<byte> record = records.Slice(n * recordSize, recordSize);
            int x0 = 8 + ((n % columns) * (tileW + 8));
            int y0 = 8 + ((n / columns) * (tileH + 8));
            ReadOnlySpan<byte> image = record[(VimhFormat.FixedHeaderBytes + (2 * heads.Count))..];
            for (int y = 0; y < height * zoom; y++)
            {
                int row = height - 1 - (y / zoom); // row 0 (lowest frequency) at the bottom
                for (int x = 0; x < width * zoom; x++)
                {
                    byte v = image[(row * width) + (x / zoom)];
                    (byte r, byte g, byte b) = Colour(v);
                    int o = (((y0 + y) * canvasW) + x0 + x) * 3;
                    rgb[o] = r;
                    rgb[o + 1] = g;
                    rgb[o + 2] = b;
                }
            }

            int ty = y0 + (height * zoom) + 4;
            TinyFont.Draw(rgb, canvasW, canvasH, x0, ty, "#" + n.ToString(CultureInfo.InvariantCulture), FontScale, 255, 255, 255);
            for (int h = 0; h < heads.Count; h++)
            {
                byte q = record[16 + (2 * h)];
                string value = heads[h].Decode(q).ToString("G4", CultureInfo.InvariantCulture);
                TinyFont.Draw(rgb, canvasW, canvasH, x0, ty + ((h + 1) * lineHeight), $"P{h}={value}", FontScale, 200, 220, 255);
            }
        }

        _ = channels; // channel 0 is shown; the others are envelopes or copies
        AtomicFile.WriteAllBytes(path, PngEncoder.EncodeRgb(canvasW, canvasH, rgb));
    }

    // A simple black-purple-orange-yellow ramp, readable for spectrograms.
    private static (byte R, byte G, byte B) Colour(byte v)
    {
        double t = v / 255.0;
        double r = Math.Clamp(1.6 * t, 0, 1);
        double g = Math.Clamp((1.6 * t) - 0.6, 0, 1);
        double b = Math.Clamp(t < 0.5 ? 0.2 + (t * 0.9) : 0.65 - ((t - 0.5) * 1.3), 0, 1);
        return ((byte)(r * 255), (byte)(g * 255), (byte)(b * 255));
    }
}
