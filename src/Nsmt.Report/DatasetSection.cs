using System.Globalization;
using System.Text;
using Nsmt.Plots;
using Nsmt.Spectral.Data;

namespace Nsmt.Report;

/// <summary>
/// A dataset's page section: what it holds, a contact sheet of its first spectrograms captioned with the
/// parameter names and values (real text, where the Generate stage's preview.png can only say P0, P1), and
/// the class histograms of every head for the train and test splits.
/// </summary>
public static class DatasetSection
{
    /// <summary>Spectrograms on the contact sheet.</summary>
    public const int SheetSize = 16;

    public static string AnchorId(string name) => HtmlReport.Slug($"dataset {name}");

    public static void Add(HtmlReport report, string directory)
    {
        ArgumentNullException.ThrowIfNull(report);
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(directory));
        var dataset = VimhDataset.Load(directory);
        report.Heading($"Dataset {name}", id: AnchorId(name));
        var info = dataset.Info;
        var rate = info.SampleRate is { } r ? $", {r.ToString(CultureInfo.InvariantCulture)} Hz" : "";
        var duration = info.Duration is { } d
            ? $", {d.ToString("0.##", CultureInfo.InvariantCulture)} s per sample"
            : "";
        report.Paragraph(
            string.Create(
                CultureInfo.InvariantCulture,
                $"{info.DatasetName}: {dataset.Train.Count:N0} train and {dataset.Test.Count:N0} test spectrograms of {info.Height}x{info.Width}x{info.Channels}{rate}{duration}; "
                    + $"heads: {string.Join(", ", dataset.Heads.Select(h => $"{h.Name} ({h.NumClasses} classes, {h.Min.Value}..{h.Max.Value})"))}."
            )
        );
        report.Heading(
            "Spectrograms (first train samples; low frequencies at the bottom)",
            3,
            id: $"{AnchorId(name)}-sheet"
        );
        report.Html(ContactSheet(dataset.Train));
        report.Heading("Label histograms", 3, id: $"{AnchorId(name)}-labels");
        report.SvgRow(
            dataset.Heads.Select(
                (h, i) =>
                    (
                        Histogram(h, i, dataset.Train, dataset.Test).ToSvg(520, 260),
                        (string?)$"{h.Name}: train (blue) and test (orange) samples per class"
                    )
            )
        );
    }

    /// <summary>The sheet as a grid of images (magma colours, as preview.png) with HTML captions.</summary>
    internal static string ContactSheet(VimhSplit split)
    {
        var html = new StringBuilder("<div class=\"sheet\">\n");
        for (var n = 0; n < Math.Min(SheetSize, split.Count); n++)
        {
            var caption = string.Join(
                "<br>",
                split.Heads.Select(
                    (h, i) =>
                        HtmlReport.Encode(
                            $"{h.Name} = {split.Value(i, n).ToString("0.###", CultureInfo.InvariantCulture)}"
                        )
                )
            );
            html.Append("<figure>")
                .Append(HtmlReport.ImageTag(Tile(split, n), $"train sample {n.ToString(CultureInfo.InvariantCulture)}"))
                .Append("<figcaption>#")
                .Append(n.ToString(CultureInfo.InvariantCulture))
                .Append("<br>")
                .Append(caption)
                .Append("</figcaption></figure>\n");
        }

        return html.Append("</div>").ToString();
    }

    /// <summary>Channel 0 of one sample as a PNG, row 0 (the lowest frequency) at the bottom.</summary>
    internal static byte[] Tile(VimhSplit split, int sample)
    {
        var image = split.Image(sample);
        int h = split.Height,
            w = split.Width;
        var rgb = new byte[h * w * 3];
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                var (r, g, b) = Colormap.Magma.At(image[((h - 1 - y) * w) + x] / 255.0);
                var o = ((y * w) + x) * 3;
                rgb[o] = r;
                rgb[o + 1] = g;
                rgb[o + 2] = b;
            }
        }

        return PngEncoder.EncodeRgb(w, h, rgb);
    }

    internal static BarChart Histogram(ParameterSpec head, int index, VimhSplit train, VimhSplit test)
    {
        double[] Counts(VimhSplit split)
        {
            var counts = new double[head.NumClasses];
            foreach (var label in split.Labels[index])
            {
                counts[label]++;
            }

            return counts;
        }

        var categories = Enumerable
            .Range(0, head.NumClasses)
            .Select(c => head.ClassValue(c).ToString("0.###", CultureInfo.InvariantCulture))
            .ToList();
        return new BarChart(categories)
        {
            Title = $"{head.Name}: samples per class",
            XLabel = head.Name,
            YLabel = "samples",
        }
            .Add("train", Counts(train), Palette.At(0))
            .Add("test", Counts(test), Palette.At(1));
    }
}
