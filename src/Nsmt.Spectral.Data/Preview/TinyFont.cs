namespace Nsmt.Spectral.Data.Preview;

/// <summary>A 3x5 pixel font for preview labels: digits, P, E, and . - + = # and space.</summary>
internal static class TinyFont
{
    public const int GlyphWidth = 3;
    public const int GlyphHeight = 5;

    // Each glyph: 5 rows of 3 bits, most significant bit on the left.
    private static readonly Dictionary<char, byte[]> Glyphs = new()
    {
        ['0'] = [0b111, 0b101, 0b101, 0b101, 0b111],
        ['1'] = [0b010, 0b110, 0b010, 0b010, 0b111],
        ['2'] = [0b111, 0b001, 0b111, 0b100, 0b111],
        ['3'] = [0b111, 0b001, 0b111, 0b001, 0b111],
        ['4'] = [0b101, 0b101, 0b111, 0b001, 0b001],
        ['5'] = [0b111, 0b100, 0b111, 0b001, 0b111],
        ['6'] = [0b111, 0b100, 0b111, 0b101, 0b111],
        ['7'] = [0b111, 0b001, 0b010, 0b010, 0b010],
        ['8'] = [0b111, 0b101, 0b111, 0b101, 0b111],
        ['9'] = [0b111, 0b101, 0b111, 0b001, 0b111],
        ['P'] = [0b110, 0b101, 0b110, 0b100, 0b100],
        ['E'] = [0b111, 0b100, 0b110, 0b100, 0b111],
        ['.'] = [0b000, 0b000, 0b000, 0b000, 0b010],
        ['-'] = [0b000, 0b000, 0b111, 0b000, 0b000],
        ['+'] = [0b000, 0b010, 0b111, 0b010, 0b000],
        ['='] = [0b000, 0b111, 0b000, 0b111, 0b000],
        ['#'] = [0b101, 0b111, 0b101, 0b111, 0b101],
        [' '] = [0, 0, 0, 0, 0],
    };

    /// <summary>Draws text into an RGB canvas at (x, y), each font pixel scaled to scale x scale.</summary>
    public static void Draw(
        byte[] rgb,
        int canvasWidth,
        int canvasHeight,
        int x,
        int y,
        string text,
        int scale,
        byte r,
        byte g,
        byte b
    )
    {
        foreach (var raw in text)
        {
            var c = char.ToUpperInvariant(raw);
            var glyph = Glyphs.TryGetValue(c, out var found) ? found : Glyphs['#'];
            for (var row = 0; row < GlyphHeight; row++)
            {
                for (var col = 0; col < GlyphWidth; col++)
                {
                    if ((glyph[row] & (1 << (GlyphWidth - 1 - col))) == 0)
                    {
                        continue;
                    }

                    for (var dy = 0; dy < scale; dy++)
                    {
                        for (var dx = 0; dx < scale; dx++)
                        {
                            int px = x + (col * scale) + dx,
                                py = y + (row * scale) + dy;
                            if (px >= 0 && px < canvasWidth && py >= 0 && py < canvasHeight)
                            {
                                var o = ((py * canvasWidth) + px) * 3;
                                rgb[o] = r;
                                rgb[o + 1] = g;
                                rgb[o + 2] = b;
                            }
                        }
                    }
                }
            }

            x += (GlyphWidth + 1) * scale;
        }
    }
}
