using System.Globalization;
using System.Text;
using Nsmt.Spectral.Data.Config;

namespace Nsmt.Spectral.Data.Preview;

/// <summary>Text summary of a generated dataset: settings and a class histogram per parameter head.</summary>
public static class DatasetSummary
{
    private const int BarWidth = 40;

    /// <param name="labels">Quantised labels, sample-major: labels[sample * heads + head].</param>
    public static string Format(GeneratorConfig config, ReadOnlySpan<byte> labels)
    {
        ArgumentNullException.ThrowIfNull(config);
        var heads = config.VaryingParameters;
        var sb = new StringBuilder();
        var ci = CultureInfo.InvariantCulture;
        sb.AppendLine(ci, $"dataset   {config.DatasetName}");
        sb.AppendLine(ci, $"config    {config.SourcePath}");
        sb.AppendLine(
            ci,
            $"samples   {config.Size} (train {VimhFormat.TrainCount(config.Size)}, test {config.Size - VimhFormat.TrainCount(config.Size)})"
        );
        sb.AppendLine(
            ci,
            $"sampling  {config.Sampling.ToString().ToLowerInvariant()}, seed {config.Seed}{(config.Shuffle ? ", shuffled" : "")}"
        );
        sb.AppendLine(
            ci,
            $"image     {config.Height}x{config.Width}x{config.Channels}, {config.Spectrogram.Type.ToString().ToLowerInvariant()} n_fft {config.Spectrogram.NFft}, hop {config.Spectrogram.HopLength}"
        );
        foreach (var p in config.Parameters.Where(p => !p.IsVarying))
        {
            sb.AppendLine(ci, $"fixed     {p.Name} = {p.Min}");
        }

        for (var h = 0; h < heads.Count; h++)
        {
            var spec = heads[h];
            var counts = new long[spec.NumClasses];
            var samples = heads.Count == 0 ? 0 : labels.Length / heads.Count;
            for (var i = 0; i < samples; i++)
            {
                counts[spec.ClassIndex(labels[(i * heads.Count) + h])]++;
            }

            var most = Math.Max(1, counts.Max());
            sb.AppendLine();
            sb.AppendLine(ci, $"P{h} {spec.Name}: {spec.NumClasses} classes, {spec.Min}..{spec.Max} step {spec.Step}");
            for (var k = 0; k < counts.Length; k++)
            {
                var bar = (int)Math.Round(counts[k] * (double)BarWidth / most);
                sb.AppendLine(ci, $"  {k, 3} {spec.ClassValue(k), 10:G6} {counts[k], 8} {new string('#', bar)}");
            }
        }

        return sb.ToString();
    }
}
