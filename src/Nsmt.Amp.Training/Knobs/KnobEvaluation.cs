using System.Globalization;
using System.Text;
using System.Text.Json;
using Nsmt.Amp.Evaluation;
using Nsmt.Amp.Keras;
using Nsmt.Amp.Training.Modules;
using Nsmt.Audio.Dsp;
using Nsmt.Core;
using Nsmt.Outputs;
using Nsmt.Plots;

namespace Nsmt.Amp.Training.Knobs;

/// <summary>One point of a knob sweep: the knob's value and the output's RMS level and spectral centroid.</summary>
public sealed record SweepPoint(double Value, double LevelDb, double CentroidHz);

/// <summary>A sweep of one knob with the others fixed: the model densely, the amp at the captured settings on the line.</summary>
public sealed record KnobSweep(
    string Knob,
    KnobSetting Base,
    IReadOnlyList<SweepPoint> Model,
    IReadOnlyList<SweepPoint> Amp
)
{
    /// <summary>Whether the amp's level moves one way only along the captured points (null: fewer than 2).</summary>
    public bool? AmpLevelMonotone => Amp.Count < 2 ? null : Monotone(Amp.Select(p => p.LevelDb).ToList());

    /// <summary>Whether the model's level moves one way only over the dense sweep.</summary>
    public bool ModelLevelMonotone => Monotone(Model.Select(p => p.LevelDb).ToList());

    /// <summary>Whether model and amp levels rise (or fall) together: the model is monotone the same way where the amp is.</summary>
    public bool? LevelFollowsAmp =>
        AmpLevelMonotone is not true
            ? null
            : ModelLevelMonotone
                && Math.Sign(Model[^1].LevelDb - Model[0].LevelDb) == Math.Sign(Amp[^1].LevelDb - Amp[0].LevelDb);

    private static bool Monotone(IReadOnlyList<double> values) =>
        values.Zip(values.Skip(1), (a, b) => b - a).All(d => d >= 0)
        || values.Zip(values.Skip(1), (a, b) => b - a).All(d => d <= 0);
}

/// <summary>
/// The knob model's evaluation, written into its run directory: <c>knob_esr.svg</c> (validation ESR per setting as a
/// heat map over the knob grid, held-out settings named), listening clips at two settings (<c>clips/SETTING/</c>: the
/// lowest trained setting and a held-out one), and per knob a sweep (<c>knob_sweep.svg</c>, <c>knob_sweep.csv</c>,
/// <c>knob_sweep.json</c>): the model's output level and spectral centroid on the validation passage at
/// <see cref="SweepPoints"/> values over the knob's range, the other knobs at a middle grid value, beside the amp's at
/// the captured settings on that line, and whether the model's level is monotone where the amp's is.
/// </summary>
public static class KnobEvaluation
{
    public const int SweepPoints = 13;
    public const double ClipSeconds = 2;

    public static IReadOnlyList<KnobSweep> Write(
        KnobModule module,
        IReadOnlyList<KnobCapture> captures,
        IReadOnlyList<SettingEsr> esr,
        string folder
    )
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(captures);
        AtomicFile.WriteAllText(Path.Combine(folder, KnobRunFiles.EsrHeatmap), EsrHeatmap(module, esr).ToSvg(560, 320));
        WriteClips(module, captures, folder);
        var sweeps = module.Knobs.Select(k => Sweep(module, captures, k.Name)).ToList();
        var figure = new Figure(columns: 2, panelWidth: 440, panelHeight: 280)
        {
            Title = "Knob sweeps on the validation passage: model (line) and amp (markers)",
        };
        foreach (var sweep in sweeps)
        {
            var at = string.Join(
                ", ",
                sweep.Base.Values.Where(v => v.Key != sweep.Knob).Select(v => $"{v.Key} {v.Value:0.##}")
            );
            figure.Add(
                SweepChart(
                    sweep,
                    $"{sweep.Knob}: output level{(at.Length > 0 ? $" ({at})" : "")}",
                    "level (dB RMS)",
                    p => p.LevelDb
                )
            );
            figure.Add(SweepChart(sweep, $"{sweep.Knob}: spectral centroid", "centroid (Hz)", p => p.CentroidHz));
        }

        AtomicFile.WriteAllText(Path.Combine(folder, KnobRunFiles.Sweep), figure.ToSvg());
        var csv = new StringBuilder("knob,value,source,level_db,centroid_hz\n");
        foreach (var sweep in sweeps)
        {
            foreach (var (source, points) in new[] { ("model", sweep.Model), ("amp", sweep.Amp) })
            {
                foreach (var p in points)
                {
                    csv.AppendLine(
                        string.Create(
                            CultureInfo.InvariantCulture,
                            $"{sweep.Knob},{p.Value:R},{source},{p.LevelDb:R},{p.CentroidHz:R}"
                        )
                    );
                }
            }
        }

        AtomicFile.WriteAllText(Path.Combine(folder, KnobRunFiles.SweepTable), csv.ToString());
        AtomicFile.WriteAllText(Path.Combine(folder, KnobRunFiles.SweepVerdicts), SweepVerdictsJson(sweeps));
        return sweeps;
    }

    /// <summary>knob_sweep.json: per knob, the other knobs' values and whether the levels move one way and together.</summary>
    internal static string SweepVerdictsJson(IEnumerable<KnobSweep> sweeps) =>
        JsonSerializer.Serialize(
            [
                .. sweeps.Select(s => new KnobSweepVerdictJson(
                    s.Knob,
                    string.Join(
                        ",",
                        s.Base.Values.Where(v => v.Key != s.Knob)
                            .Select(v => string.Create(CultureInfo.InvariantCulture, $"{v.Key}={v.Value:0.###}"))
                    ),
                    s.AmpLevelMonotone,
                    s.ModelLevelMonotone,
                    s.LevelFollowsAmp
                )),
            ],
            AmpTrainingJsonContext.Default.KnobSweepVerdictJsonArray
        );

    /// <summary>ESR over the grid: columns the first knob's values, rows the second's (one row for one knob).</summary>
    internal static Heatmap EsrHeatmap(KnobModule module, IReadOnlyList<SettingEsr> esr)
    {
        var columnKnob = module.Knobs[0].Name;
        var rowKnob = module.Knobs.Count > 1 ? module.Knobs[1].Name : null;
        var columns = esr.Select(e => e.Setting[columnKnob]).Distinct().Order().ToList();
        var rows = rowKnob is null ? [0.0] : esr.Select(e => e.Setting[rowKnob]).Distinct().Order().ToList();
        var values = Enumerable.Repeat(double.NaN, rows.Count * columns.Count).ToArray();
        foreach (var e in esr)
        {
            var row = rowKnob is null ? 0 : rows.IndexOf(e.Setting[rowKnob]);
            values[(row * columns.Count) + columns.IndexOf(e.Setting[columnKnob])] = e.Esr;
        }

        var heldOut = esr.Where(e => e.HeldOut).Select(e => e.Setting.ToString()).ToList();
        return new Heatmap(values, rows.Count, columns.Count)
        {
            Title =
                "Validation ESR per setting" + (heldOut.Count > 0 ? $" (held out: {string.Join("; ", heldOut)})" : ""),
            ColumnLabels = columns.Select(v => v.ToString("0.##", CultureInfo.InvariantCulture)).ToList(),
            RowLabels = rows.Select(v => rowKnob is null ? "" : v.ToString("0.##", CultureInfo.InvariantCulture))
                .ToList(),
            XLabel = columnKnob,
            YLabel = rowKnob,
            ShowValues = true,
            ValueFormat = "0.0000",
            Colormap = Colormap.Magma,
            ColorBarLabel = "ESR",
        };
    }

    private static void WriteClips(KnobModule module, IReadOnlyList<KnobCapture> captures, string folder)
    {
        var chosen = new[]
        {
            captures.FirstOrDefault(c => !c.HeldOut),
            captures.LastOrDefault(c => c.HeldOut) ?? captures.LastOrDefault(c => !c.HeldOut),
        }
            .OfType<KnobCapture>()
            .Distinct()
            .ToList();
        foreach (var capture in chosen)
        {
            var name = capture.Setting.ToString().Replace('=', '_').Replace(',', '_').Replace('-', 'm');
            ListeningClips.Write(
                Path.Combine(folder, KnobRunFiles.Clips, name),
                capture.ValidationInput(),
                capture.ValidationTarget(),
                capture.PredictValidation(module, capture.KnobValues),
                capture.Data.SampleRate,
                ClipSeconds
            );
        }
    }

    private static KnobSweep Sweep(KnobModule module, IReadOnlyList<KnobCapture> captures, string knob)
    {
        // The other knobs at the middle of their captured values, so the amp's own settings lie on the line.
        var baseValues = module
            .Knobs.Select(k =>
                k.Name == knob
                    ? new KeyValuePair<string, double>(k.Name, k.Minimum)
                    : new KeyValuePair<string, double>(k.Name, Middle(captures.Select(c => c.Setting[k.Name])))
            )
            .ToList();
        var baseSetting = new KnobSetting(baseValues);
        var range = module.Knobs.First(k => k.Name == knob);
        var model = new List<SweepPoint>(SweepPoints);
        for (var i = 0; i < SweepPoints; i++)
        {
            var value = range.Minimum + ((range.Maximum - range.Minimum) * i / (SweepPoints - 1));
            var values = baseValues.Select(v => v.Key == knob ? value : v.Value).ToList();
            model.Add(Measure(value, captures[0].PredictValidation(module, values), captures[0].Data.SampleRate));
        }

        var amp = captures
            .Where(c => baseValues.All(v => v.Key == knob || c.Setting[v.Key] == v.Value))
            .OrderBy(c => c.Setting[knob])
            .Select(c => Measure(c.Setting[knob], c.ValidationTarget(), c.Data.SampleRate))
            .ToList();
        return new KnobSweep(knob, baseSetting, model, amp);
    }

    private static double Middle(IEnumerable<double> values)
    {
        var distinct = values.Distinct().Order().ToList();
        return distinct[distinct.Count / 2];
    }

    /// <summary>RMS level in dB and the power-weighted mean frequency of a Hann STFT (2,048 points).</summary>
    internal static SweepPoint Measure(double value, float[] signal, int sampleRate)
    {
        var sum = signal.Sum(v => (double)v * v);
        var level = 10 * Math.Log10(Math.Max(sum / Math.Max(1, signal.Length), 1e-20));
        var options = new StftOptions(2048) { Window = WindowType.Hann };
        var magnitude = Stft.Forward(signal, options).Magnitude();
        double weighted = 0,
            total = 0;
        for (var bin = 0; bin < magnitude.Bins; bin++)
        {
            var frequency = bin * (double)sampleRate / options.NFft;
            for (var frame = 0; frame < magnitude.Frames; frame++)
            {
                var power = magnitude[bin, frame] * magnitude[bin, frame];
                weighted += frequency * power;
                total += power;
            }
        }

        return new SweepPoint(value, level, total > 0 ? weighted / total : 0);
    }

    private static LineChart SweepChart(KnobSweep sweep, string title, string yLabel, Func<SweepPoint, double> metric)
    {
        var chart = new LineChart
        {
            Title = title,
            XLabel = sweep.Knob,
            YLabel = yLabel,
        };
        chart.Add(
            "model",
            sweep.Model.Select(p => p.Value).ToArray(),
            sweep.Model.Select(metric).ToArray(),
            Palette.At(0)
        );
        if (sweep.Amp.Count > 0)
        {
            chart.Add(
                "amp",
                sweep.Amp.Select(p => p.Value).ToArray(),
                sweep.Amp.Select(metric).ToArray(),
                Palette.At(1),
                dash: "4,3",
                markers: true
            );
        }

        return chart;
    }
}
