using System.Text.Json;
using System.Xml.Linq;
using Nsmt.Amp.Architectures;
using Nsmt.Amp.Engine;
using Nsmt.Amp.Evaluation;
using Nsmt.Amp.Format;
using Nsmt.Amp.Ingest;

namespace Nsmt.Amp.Tests;

/// <summary>The evaluation run: metrics JSON, figures, and predictions made with the right history.</summary>
public sealed class EvaluationTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nsmt-evaluation-tests-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Model_on_a_capture_pair_is_scored_on_the_validation_range_with_real_history()
    {
        var pair = CapturePair.Load(AmpTestSignals.Capture.Samples, AmpTestSignals.Reamp(latency: 40), 48000);
        var model = TestModels.Random(NamPresets.WaveNet(WaveNetPreset.Nano));

        var result = AmpEvaluation.Run(model, pair, _folder);

        // The prediction must equal one pass of the model over the whole aligned DI.
        var onePass = NamOfflineProcessor.Process(model, pair.Input);
        var range = pair.ValidationRange;
        Assert.Equal(range, result.Range);
        TestModels.AssertClose(
            onePass.AsSpan(range.Start, range.Length).ToArray().Select(v => (double)v).ToArray(),
            result.Prediction,
            1e-6
        );
        Assert.Equal(
            Metrics.Esr(result.Prediction, pair.Output.AsSpan(range.Start, range.Length)),
            result.Metrics.EsrNam,
            12
        );

        using var json = JsonDocument.Parse(File.ReadAllBytes(result.MetricsPath));
        var root = json.RootElement;
        Assert.Equal(result.Metrics.EsrNam, root.GetProperty("esr_nam").GetDouble(), 12);
        Assert.Equal(result.Metrics.EsrPooled, root.GetProperty("esr_pooled").GetDouble(), 12);
        Assert.Equal(result.Metrics.QualityGrade, root.GetProperty("quality_grade").GetString());
        Assert.Equal(range.Start, root.GetProperty("range").GetProperty("start").GetInt32());
        Assert.Equal(2, root.GetProperty("sweeps").GetArrayLength());
        Assert.Equal(
            pair.Report.Latency.Alignment.Latency,
            root.GetProperty("ingest").GetProperty("latency_samples").GetInt32()
        );
        Assert.Equal(
            ["waveform.svg", "spectrograms.svg", "sweep.svg"],
            root.GetProperty("figures").EnumerateArray().Select(e => e.GetString())
        );
        foreach (var figure in result.FigurePaths)
        {
            var svg = XDocument.Load(figure);
            Assert.Equal("svg", svg.Root!.Name.LocalName);
            Assert.True(new FileInfo(figure).Length < 1_500_000, $"{figure} is {new FileInfo(figure).Length} bytes");
        }

        Assert.Contains(
            "data:image/png;base64,",
            File.ReadAllText(Path.Combine(_folder, "spectrograms.svg")),
            StringComparison.Ordinal
        );
    }

    [NamFixtureFact]
    public void A_slimmable_model_is_scored_at_every_width_and_the_capture_is_identified_by_its_samples()
    {
        var pair = CapturePair.Load(AmpTestSignals.Capture.Samples, AmpTestSignals.Reamp(latency: 40), 48000);
        var a2 = NamFile.Load(CoreExamplesConformanceTests.CoreExample("A2.nam"));
        var options = new EvaluationOptions { WriteFigures = false };

        var result = AmpEvaluation.Run(a2, pair, _folder, options);

        using var json = JsonDocument.Parse(File.ReadAllBytes(result.MetricsPath));
        var root = json.RootElement;
        // The container has no weights of its own: the headline is its default width, A2-Full.
        Assert.Equal(12146, root.GetProperty("model").GetProperty("parameters").GetInt32());
        Assert.Equal("A2-Full", root.GetProperty("model").GetProperty("preset").GetString());
        var widths = root.GetProperty("widths").EnumerateArray().ToList();
        Assert.Equal(["A2-Lite", "A2-Full"], widths.Select(w => w.GetProperty("preset").GetString()));
        Assert.Equal([1871, 12146], widths.Select(w => w.GetProperty("parameters").GetInt32()));
        var range = pair.ValidationRange;
        var target = pair.Output.AsSpan(range.Start, range.Length);
        foreach (var (width, size) in widths.Zip([0.3, 1.0]))
        {
            // Each width's ESR is that of the model Core plays at a size it serves.
            var played = AmpEvaluation.Predict(a2.AtSize(size), pair.Input, 48000, range);
            Assert.Equal(Metrics.Esr(played, target), width.GetProperty("esr_nam").GetDouble(), 12);
        }

        Assert.Equal(result.Metrics.EsrNam, widths[1].GetProperty("esr_nam").GetDouble(), 12);
        var capture = root.GetProperty("capture").GetProperty("sha256").GetString();

        // Another model on the same pair: the same capture; the same DI through another amp: another.
        var other = Path.Combine(_folder, "other");
        AmpEvaluation.Run(TestModels.Random(NamPresets.WaveNet(WaveNetPreset.Nano)), pair, other, options);
        Assert.Equal(capture, Capture(other));
        var louder = CapturePair.Load(
            AmpTestSignals.Capture.Samples,
            [.. AmpTestSignals.Reamp(latency: 40).Select(v => v * 0.5f)],
            48000
        );
        AmpEvaluation.Run(a2, louder, other, options);
        Assert.NotEqual(capture, Capture(other));

        static string? Capture(string folder)
        {
            using var metrics = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, "metrics.json")));
            return metrics.RootElement.GetProperty("capture").GetProperty("sha256").GetString();
        }
    }

    [Fact]
    public void A_whole_file_evaluation_scores_every_aligned_sample_and_says_so()
    {
        var x = AmpTestSignals.Sine(48000 * 3, 220, 0.3);
        var pair = CapturePair.Load(
            x,
            AmpTestSignals.PureDelay(x, 10),
            48000,
            new IngestOptions { Scope = ValidationScope.HeldOutIfCaptureSignal }
        );
        var model = TestModels.Random(NamPresets.WaveNet(WaveNetPreset.Nano));

        var result = AmpEvaluation.Run(model, pair, _folder, new EvaluationOptions { WriteFigures = false });

        Assert.Equal("whole file", result.RangeName);
        Assert.Equal(pair.Input.Length, result.Prediction.Length);
        var onePass = NamOfflineProcessor.Process(model, pair.Input);
        TestModels.AssertClose(onePass.Select(v => (double)v).ToArray(), result.Prediction, 1e-6);
        using var json = JsonDocument.Parse(File.ReadAllBytes(result.MetricsPath));
        var range = json.RootElement.GetProperty("range");
        Assert.Equal("whole file", range.GetProperty("name").GetString());
        Assert.Equal(0, range.GetProperty("start").GetInt32());
        Assert.Equal(pair.Report.AlignedLength, range.GetProperty("length").GetInt32());
    }

    [Fact]
    public void A_perfect_prediction_grades_great_and_writes_null_for_infinite_snr()
    {
        var target = AmpTestSignals.Sine(24000, 440, 0.5);

        var result = AmpEvaluation.Run(
            (float[])target.Clone(),
            target,
            48000,
            _folder,
            new EvaluationOptions { WriteFigures = false }
        );

        Assert.Equal(0, result.Metrics.EsrNam);
        Assert.Equal("great", result.Metrics.QualityGrade);
        Assert.Equal("excellent", result.Metrics.CorrelationGrade);
        using var json = JsonDocument.Parse(File.ReadAllBytes(result.MetricsPath));
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("snr_db").ValueKind);
        Assert.Empty(result.FigurePaths);
    }

    [Fact]
    public void Sweep_response_of_a_known_filter_is_its_magnitude_response()
    {
        // Reference: y = x (0 dB); model: y = 0.5 x (-6.02 dB) at every frequency.
        var sweep = new float[48000];
        var signal = new double[48000];
        Nsmt.Amp.Capture.TestSignals.Sweep(signal, 48000, 0.5);
        for (var i = 0; i < sweep.Length; i++)
        {
            sweep[i] = (float)signal[i];
        }

        var (frequencies, reference) = EvaluationFigures.TransferDb(sweep, sweep, 48000);
        var (_, half) = EvaluationFigures.TransferDb(sweep, sweep.Select(v => 0.5f * v).ToArray(), 48000);

        for (var i = 0; i < frequencies.Length; i++)
        {
            Assert.Equal(0, reference[i], 9);
            Assert.Equal(20 * Math.Log10(0.5), half[i], 5);
        }
    }
}
