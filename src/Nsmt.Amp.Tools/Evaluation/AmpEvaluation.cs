using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using Nsmt.Amp.Architectures;
using Nsmt.Amp.Capture;
using Nsmt.Amp.Engine;
using Nsmt.Amp.Ingest;
using Nsmt.Amp.Processing;
using Nsmt.Core;
using Nsmt.Outputs;

namespace Nsmt.Amp.Evaluation;

/// <summary>
/// Scores a model on held-out audio and writes <c>metrics.json</c> plus SVG figures
/// (<c>waveform.svg</c>, <c>spectrograms.svg</c>, <c>sweep.svg</c>) and listening clips (<see cref="ListeningClips"/>) to a directory.
/// </summary>
public static class AmpEvaluation
{
    // The folder's layout is the contract the report reads by (Nsmt.Outputs).
    public const string MetricsFileName = AmpEvaluationFiles.Metrics;
    public const string WaveformFileName = AmpEvaluationFiles.Waveform;
    public const string SpectrogramFileName = AmpEvaluationFiles.Spectrograms;
    public const string SweepFileName = AmpEvaluationFiles.Sweep;

    /// <summary>
    /// Runs <paramref name="model"/> over the pair's input (with its real history before the
    /// validation range, as in one pass over the file) and scores the validation range. The sweep
    /// figure uses the capture's own sweeps when it has them, else <see cref="EvaluationOptions.Reference"/>.
    /// </summary>
    public static EvaluationResult Run(
        NamModel model,
        CapturePair pair,
        string outputDirectory,
        EvaluationOptions? options = null
    )
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(pair);
        options ??= new EvaluationOptions();
        var range = pair.ValidationRange;
        if (range.IsEmpty)
        {
            throw new ArgumentException("the pair's validation range is empty", nameof(pair));
        }

        var prediction = Predict(model, pair.Input, pair.SampleRate, range, options.TanhMode);
        var target = pair.Output.AsSpan(range.Start, range.Length);
        var sweeps = new List<SweepComparison>();
        var notes = new List<string>();
        if (pair.Layout is { } layout)
        {
            for (var k = 0; k < layout.Sweeps.Count; k++)
            {
                // The sweep plus the gap after it, so the response's tail is included.
                var sweep = SampleRange
                    .FromBounds(layout.Sweeps[k].Start, layout.Sweeps[k].End + (pair.SampleRate / 10))
                    .ShiftClamped(-pair.InputOffset, pair.Input.Length);
                if (sweep.Length < pair.SampleRate / 2)
                {
                    continue;
                }

                sweeps.Add(
                    new SweepComparison(
                        $"{20 * Math.Log10(CaptureLayout.SweepLevels[k]):0} dBFS",
                        pair.Input.AsSpan(sweep.Start, sweep.Length).ToArray(),
                        pair.Output.AsSpan(sweep.Start, sweep.Length).ToArray(),
                        Predict(model, pair.Input, pair.SampleRate, sweep, options.TanhMode)
                    )
                );
            }

            notes.Add("sweep responses come from the capture's sweep section, which is part of the training range");
        }
        else if (options.Reference is not null)
        {
            sweeps.AddRange(SyntheticSweeps(model, pair.SampleRate, options));
            notes.Add("sweep responses: synthetic sweeps through the given reference and the model");
        }
        else
        {
            notes.Add("no sweep figure: the recording has no sweep section and no reference system was given");
        }

        var delay = ModelDelay.Measure(pair.Input.AsSpan(range.Start, range.Length), target, prediction);
        var input = pair.Input;
        var output = pair.Output;
        var widths = WidthScore.Measure(model, input, output, pair.SampleRate, range, options.TanhMode);
        var played = model.AtSize(1);
        var extra = new Dictionary<string, object?>
        {
            ["model"] = new Dictionary<string, object?>
            {
                ["architecture"] = model.Architecture.ToString(),
                // A SlimmableContainer has no weights of its own: its count is the default (largest) submodel's.
                ["parameters"] = played.Weights.Length,
                ["preset"] = widths[^1].Preset,
                ["receptive_field"] = model.ReceptiveField,
                ["sample_rate"] = model.SampleRate,
                ["real_time_factor"] = widths[^1].RealTimeFactor,
            },
            ["widths"] = widths.Select(WidthJson).ToList(),
            ["capture"] = new Dictionary<string, object?>
            {
                ["sha256"] = CaptureIdentity(input, output),
                ["sha256_of"] =
                    "the aligned DI and amp samples (float32, little-endian), DI first: equal on the same capture",
            },
            ["ingest"] = new Dictionary<string, object?>
            {
                ["latency_samples"] = pair.Report.Latency.Alignment.Latency,
                ["latency_method"] = pair.Report.Latency.Method.ToString(),
                ["safety_margin_samples"] = pair.Report.Latency.Alignment.SafetyMargin,
                ["detected_correlation_latency_samples"] = pair.Report.Latency.CorrelationLatency,
                ["detected_click_latency_samples"] = pair.Report.Latency.ClickLatency,
                ["replicate_esr"] = pair.Report.ReplicateEsr,
                ["checks_passed"] = pair.Report.ChecksPassed,
                ["standard_capture_signal"] = pair.Report.StandardCaptureSignal,
            },
            ["timing"] = new Dictionary<string, object?>
            {
                ["added_delay_samples"] = delay?.AddedDelay,
                ["added_delay_confidence_db"] = delay?.ConfidenceDb,
                ["model_onset_samples"] = delay?.ModelOnset,
                ["target_onset_samples"] = delay?.TargetOnset,
            },
        };
        // A pair read with nothing to train on (IngestOptions.Scope) is scored over every aligned sample; say so everywhere.
        var rangeName =
            pair.TrainRange.IsEmpty && range.Start == 0 && range.Length == pair.Input.Length
                ? "whole file"
                : "validation";
        var result = Write(
            prediction,
            target,
            pair.SampleRate,
            range,
            rangeName,
            outputDirectory,
            options,
            sweeps,
            notes,
            extra
        ) with
        {
            AddedDelay = delay,
            RangeName = rangeName,
            Widths = widths,
        };
        if (options.WriteFigures && options.ClipSeconds > 0)
        {
            // Only here is the DI at hand: a prediction scored on its own has no input to play.
            ListeningClips.Write(
                outputDirectory,
                pair.Input.AsSpan(range.Start, range.Length),
                target,
                prediction,
                pair.SampleRate,
                options.ClipSeconds
            );
        }

        return result;
    }

    /// <summary>Scores a prediction made elsewhere (e.g. by the trainer) against its target and writes the same files.</summary>
    public static EvaluationResult Run(
        float[] prediction,
        float[] target,
        int sampleRate,
        string outputDirectory,
        EvaluationOptions? options = null,
        IReadOnlyList<SweepComparison>? sweeps = null
    )
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(target);
        if (target.Length == 0 || prediction.Length != target.Length)
        {
            throw new ArgumentException(
                $"expected a non-empty prediction as long as the target, got {prediction.Length} and {target.Length} samples"
            );
        }

        options ??= new EvaluationOptions();
        return Write(
            prediction,
            target,
            sampleRate,
            new SampleRange(0, target.Length),
            "given",
            outputDirectory,
            options,
            sweeps ?? [],
            [],
            []
        );
    }

    private static Dictionary<string, object?> WidthJson(WidthScore w) =>
        new()
        {
            ["size_from"] = w.Size,
            ["size_below"] = w.MaxSize,
            ["preset"] = w.Preset,
            ["parameters"] = w.Weights,
            ["esr_nam"] = w.EsrNam,
            ["real_time_factor"] = w.RealTimeFactor,
            ["real_time_factor_convention"] = string.Create(
                CultureInfo.InvariantCulture,
                $"seconds of audio per second of our streaming engine, block {WidthScore.BlockSize}, best of {WidthScore.TimedPasses} passes over up to {WidthScore.MaxTimedSeconds} s of the scored range, on the machine that evaluated"
            ),
        };

    /// <summary>SHA-256 of the aligned pair's samples: what makes two evaluations comparable, whatever their names.</summary>
    private static string CaptureIdentity(float[] input, float[] output)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(MemoryMarshal.AsBytes(input.AsSpan()));
        sha.AppendData(MemoryMarshal.AsBytes(output.AsSpan()));
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>
    /// The model's output over <paramref name="range"/> of <paramref name="input"/>, as one pass over
    /// the whole input would give it: a WaveNet needs only the RF-1 samples before the range; a
    /// recurrent model is run from the start.
    /// </summary>
    public static float[] Predict(
        NamModel model,
        float[] input,
        int sampleRate,
        SampleRange range,
        TanhMode tanhMode = TanhMode.Exact
    )
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(input);
        var from = model.Config is WaveNetConfig ? Math.Max(0, range.Start - (model.ReceptiveField - 1)) : 0;
        // Resampling filters reach a little beyond the range: give them a margin of real input.
        var resampled = model.SampleRate is { } rate && rate != sampleRate;
        if (resampled)
        {
            from = Math.Max(0, from - (sampleRate / 10));
        }

        var to = resampled ? Math.Min(input.Length, range.End + (sampleRate / 10)) : range.End;
        var output = AmpProcessor.Process(
            model,
            input.AsSpan(from, to - from),
            sampleRate,
            new ProcessingOptions { TanhMode = tanhMode }
        );
        return output.AsSpan(range.Start - from, range.Length).ToArray();
    }

    private static IEnumerable<SweepComparison> SyntheticSweeps(
        NamModel model,
        int sampleRate,
        EvaluationOptions options
    )
    {
        foreach (var level in CaptureLayout.SweepLevels)
        {
            var length = 2 * sampleRate;
            var sweep = new double[length + (sampleRate / 10)];
            TestSignals.Sweep(sweep.AsSpan(0, length), sampleRate, level);
            var input = sweep.Select(v => (float)v).ToArray();
            var reference = options.Reference!(input);
            if (reference.Length < input.Length)
            {
                throw new ArgumentException(
                    $"the reference returned {reference.Length} samples for {input.Length} (it must return at least as many)"
                );
            }

            var modelOutput = AmpProcessor.Process(
                model,
                input,
                sampleRate,
                new ProcessingOptions { TanhMode = options.TanhMode }
            );
            yield return new SweepComparison(
                $"{20 * Math.Log10(level):0} dBFS",
                input,
                reference.AsSpan(0, input.Length).ToArray(),
                modelOutput
            );
        }
    }

    private static EvaluationResult Write(
        float[] prediction,
        ReadOnlySpan<float> target,
        int sampleRate,
        SampleRange range,
        string rangeName,
        string outputDirectory,
        EvaluationOptions options,
        IReadOnlyList<SweepComparison> sweeps,
        List<string> notes,
        Dictionary<string, object?> extra
    )
    {
        ArgumentNullException.ThrowIfNull(outputDirectory);
        var metrics = EvaluationMetrics.Compute(prediction, target, sampleRate);
        Directory.CreateDirectory(outputDirectory);
        var figures = new List<string>();
        var label = options.Label is null ? null : $"{options.Label}: ";
        if (options.WriteFigures)
        {
            var path = Path.Combine(outputDirectory, WaveformFileName);
            EvaluationFigures
                .Waveforms(
                    prediction,
                    target,
                    sampleRate,
                    options.ZoomSeconds,
                    $"{label}{rangeName} range, ESR {metrics.EsrNam:0.0000} ({metrics.QualityGrade})"
                )
                .Save(path);
            figures.Add(path);
            path = Path.Combine(outputDirectory, SpectrogramFileName);
            EvaluationFigures
                .Spectrograms(
                    prediction,
                    target,
                    sampleRate,
                    options.SpectrogramFftSize,
                    options.DynamicRangeDb,
                    $"{label}spectrograms ({rangeName} range)"
                )
                .Save(path);
            figures.Add(path);
            if (sweeps.Count > 0)
            {
                path = Path.Combine(outputDirectory, SweepFileName);
                EvaluationFigures.SweepResponse(sweeps, sampleRate, $"{label}sine-sweep response").Save(path);
                figures.Add(path);
            }
        }

        var differences = sweeps.Select(s => (s.Label, MeanAbsDifference(s, sampleRate))).ToList();
        var metricsPath = Path.Combine(outputDirectory, MetricsFileName);
        AtomicFile.WriteAllBytes(
            metricsPath,
            MetricsJson(metrics, range, rangeName, sampleRate, differences, figures, notes, extra)
        );
        return new EvaluationResult
        {
            Metrics = metrics,
            Range = range,
            Prediction = prediction,
            MetricsPath = metricsPath,
            FigurePaths = figures,
            SweepDifferences = differences,
            Notes = notes,
        };
    }

    private static double MeanAbsDifference(SweepComparison sweep, int sampleRate)
    {
        var (frequencies, reference) = EvaluationFigures.TransferDb(sweep.Input, sweep.Reference, sampleRate);
        var (_, model) = EvaluationFigures.TransferDb(sweep.Input, sweep.Model, sampleRate);
        double sum = 0;
        var count = 0;
        for (var i = 0; i < frequencies.Length; i++)
        {
            if (
                frequencies[i] >= 50
                && frequencies[i] <= 15000
                && double.IsFinite(reference[i])
                && double.IsFinite(model[i])
            )
            {
                sum += Math.Abs(model[i] - reference[i]);
                count++;
            }
        }

        return count == 0 ? double.NaN : sum / count;
    }

    private static byte[] MetricsJson(
        EvaluationMetrics m,
        SampleRange range,
        string rangeName,
        int sampleRate,
        List<(string Label, double Difference)> sweeps,
        List<string> figures,
        List<string> notes,
        Dictionary<string, object?> extra
    )
    {
        using var stream = new MemoryStream();
        using (
            var json = new Utf8JsonWriter(
                stream,
                new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }
            )
        )
        {
            json.WriteStartObject();
            json.WriteStartObject("range");
            json.WriteString("name", rangeName);
            json.WriteNumber("start", range.Start);
            json.WriteNumber("length", range.Length);
            Number(json, "seconds", range.Seconds(sampleRate));
            json.WriteNumber("sample_rate", sampleRate);
            json.WriteEndObject();
            Number(json, "esr_nam", m.EsrNam);
            json.WriteString("esr_nam_convention", "NAM: sum((y-t)^2)/sum(t^2) over the range as one item");
            Number(json, "esr_pooled", m.EsrPooled);
            json.WriteString("esr_pooled_convention", "seed: mean((y-t)^2)/(mean(t^2)+1e-8)");
            Number(json, "mse", m.Mse);
            Number(json, "rmse", m.Rmse);
            Number(json, "snr_db", m.SnrDb);
            Number(json, "pearson", m.Pearson);
            Number(json, "null_test_residual_dbfs", m.ResidualRmsDbfs);
            Number(json, "null_test_residual_db_re_target", m.ResidualRelativeDb);
            Number(json, "dc_error", m.DcError);
            Number(json, "mrstft", m.MultiResolutionStft);
            json.WriteString(
                "mrstft_convention",
                "auraloss: mean over FFT 1024/2048/512 (hop 120/240/50, Hann 600/1200/240) of spectral convergence + mean |log mag diff|; no pre-emphasis"
            );
            json.WriteString("quality_grade", m.QualityGrade);
            json.WriteString(
                "quality_grade_rule",
                "NAM, by esr_nam: <0.01 great, <0.035 not bad, <0.1 might sound ok, <0.3 probably won't sound great"
            );
            json.WriteString("correlation_grade", m.CorrelationGrade);
            json.WriteString(
                "correlation_grade_rule",
                "seed, by pearson: >0.95 excellent, >0.90 very good, >0.80 good, >0.70 fair"
            );
            json.WriteStartArray("sweeps");
            foreach (var (label, difference) in sweeps)
            {
                json.WriteStartObject();
                json.WriteString("level", label);
                Number(json, "mean_abs_difference_db_50hz_15khz", difference);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("figures");
            foreach (var figure in figures)
            {
                json.WriteStringValue(Path.GetFileName(figure));
            }

            json.WriteEndArray();
            json.WriteStartArray("notes");
            foreach (var note in notes)
            {
                json.WriteStringValue(note);
            }

            json.WriteEndArray();
            foreach (var (key, value) in extra)
            {
                json.WritePropertyName(key);
                WriteValue(json, value);
            }

            json.WriteEndObject();
        }

        return stream.ToArray();
    }

    private static void WriteValue(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case null:
                json.WriteNullValue();
                break;
            case Dictionary<string, object?> map:
                json.WriteStartObject();
                foreach (var (key, inner) in map)
                {
                    json.WritePropertyName(key);
                    WriteValue(json, inner);
                }

                json.WriteEndObject();
                break;
            case bool b:
                json.WriteBooleanValue(b);
                break;
            case int i:
                json.WriteNumberValue(i);
                break;
            case System.Collections.IList list:
                json.WriteStartArray();
                foreach (var item in list)
                {
                    WriteValue(json, item);
                }

                json.WriteEndArray();
                break;
            case double d:
                if (double.IsFinite(d))
                {
                    json.WriteNumberValue(d);
                }
                else
                {
                    json.WriteNullValue();
                }

                break;
            default:
                json.WriteStringValue(value.ToString());
                break;
        }
    }

    /// <summary>JSON has no NaN or infinity: those are written as null.</summary>
    private static void Number(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsFinite(value))
        {
            json.WriteNumber(name, value);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
