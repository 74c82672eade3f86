using System.Text.Json;
using Nsmt.Amp.Architectures;
using Nsmt.Amp.Evaluation;
using Nsmt.Amp.Format;
using Nsmt.Amp.Ingest;

namespace Nsmt.Amp.Tests;

/// <summary>
/// The training alignment carried by a model (issue 16): written in NAM's latency metadata, read
/// back, and used to score the model unless a latency is given; and the delay a model adds.
/// </summary>
public sealed class AlignmentTests
{
    private static NamModel WithLatency(NamLatencyMetadata? latency) =>
        new(
            NamPresets.WaveNet(WaveNetPreset.Nano),
            NamWeightInitializer.CreateRandom(NamPresets.WaveNet(WaveNetPreset.Nano), 3),
            48000,
            new NamMetadata { Training = new NamTrainingMetadata { Data = new NamTrainingData { Latency = latency } } }
        );

    [Fact]
    public void The_alignment_round_trips_through_the_nam_file_in_nams_latency_fields()
    {
        var di = LatencyRigs.Di;
        var report = CapturePair
            .Load(di, LatencyRigs.Delay(di, 9), LatencyRigs.Rate, new IngestOptions { ValidationSeconds = 3 })
            .Report;
        var model = WithLatency(report.ToLatencyMetadata());

        var json = NamFile.Serialize(model);
        var alignment = Alignment.Of(NamFile.Parse(json));

        // Detected 9, minus the 1-sample margin: what the model was trained on.
        Assert.Equal(new Alignment(8, 1), alignment);
        // NAM's own keys inside the free-form metadata object (nam-format.md), nothing else added.
        using var document = JsonDocument.Parse(json);
        var calibration = document
            .RootElement.GetProperty("metadata")
            .GetProperty("training")
            .GetProperty("data")
            .GetProperty("latency")
            .GetProperty("calibration");
        Assert.Equal(8, calibration.GetProperty("recommended").GetInt32());
        Assert.Equal(1, calibration.GetProperty("safety_factor").GetInt32());
        Assert.Equal([9], calibration.GetProperty("delays").EnumerateArray().Select(e => e.GetInt32()));
    }

    [Fact]
    public void A_manual_training_latency_wins_and_a_model_without_one_has_none()
    {
        var manual = WithLatency(
            new NamLatencyMetadata
            {
                Manual = 30,
                Calibration = new NamLatencyCalibration { Recommended = 12, SafetyFactor = 1 },
            }
        );

        Assert.Equal(new Alignment(30, 0), Alignment.Of(manual));
        Assert.Null(Alignment.Of(WithLatency(null)));
        Assert.Null(Alignment.Of(TestModels.Random(NamPresets.WaveNet(WaveNetPreset.Nano))));
    }

    [Fact]
    public void Scoring_uses_the_model_alignment_over_detection_and_a_given_latency_over_both()
    {
        var di = LatencyRigs.Di;
        var reamp = LatencyRigs.Delay(di, 20);
        var trained = new Alignment(17, 1);

        var byModel = CapturePair
            .Load(di, reamp, LatencyRigs.Rate, new IngestOptions { ValidationSeconds = 3, TrainedAlignment = trained })
            .Report;
        var byHand = CapturePair
            .Load(
                di,
                reamp,
                LatencyRigs.Rate,
                new IngestOptions
                {
                    ValidationSeconds = 3,
                    TrainedAlignment = trained,
                    ManualLatency = 5,
                }
            )
            .Report;

        Assert.Equal(LatencyMethod.Model, byModel.Latency.Method);
        Assert.Equal(17, byModel.Latency.Alignment.Latency);
        Assert.Equal(20, byModel.Latency.CorrelationOnset); // still detected and reported
        // Detected 20 - 1 = 19 is 2 samples from the model's 17: said.
        Assert.Contains(byModel.Warnings, w =>
            w.Contains("differs from the one the model was trained with (17)", StringComparison.Ordinal)
        );
        Assert.Contains("the alignment the model was trained with", byModel.ToText(), StringComparison.Ordinal);
        Assert.Equal(LatencyMethod.Manual, byHand.Latency.Method);
        Assert.Equal(5, byHand.Latency.Alignment.Latency);
    }

    [Fact]
    public void Evaluation_records_the_alignment_source_and_the_added_delay()
    {
        var di = LatencyRigs.Di;
        var pair = CapturePair.Load(
            di,
            LatencyRigs.Delay(di, 12),
            LatencyRigs.Rate,
            new IngestOptions { ValidationSeconds = 3, TrainedAlignment = new Alignment(11, 1) }
        );
        var folder = Directory.CreateTempSubdirectory("nsmt-alignment-tests-").FullName;
        try
        {
            var result = AmpEvaluation.Run(
                WithLatency(null),
                pair,
                folder,
                new EvaluationOptions { WriteFigures = false }
            );

            using var json = JsonDocument.Parse(File.ReadAllBytes(result.MetricsPath));
            var root = json.RootElement;
            Assert.Equal("Model", root.GetProperty("ingest").GetProperty("latency_method").GetString());
            Assert.Equal(11, root.GetProperty("ingest").GetProperty("latency_samples").GetInt32());
            Assert.Equal(
                result.AddedDelay!.AddedDelay,
                root.GetProperty("timing").GetProperty("added_delay_samples").GetDouble(),
                12
            );
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(3.0)]
    [InlineData(2.5)]
    [InlineData(49.0)]
    public void The_added_delay_of_a_prediction_is_its_lag_behind_the_target(double lag)
    {
        // The "model" is the rig itself, late by a known number of samples (49: the model).
        var di = LatencyRigs.Di.AsSpan(0, 5 * LatencyRigs.Rate).ToArray();
        var target = LatencyRigs.Amp(di).AsSpan(0, di.Length).ToArray();
        var prediction = LatencyRigs.Delay(target, lag).AsSpan(0, di.Length).ToArray();

        var delay = ModelDelay.Measure(di, target, prediction)!;

        Assert.Equal(lag, delay.AddedDelay, 0.1);
        Assert.Equal(0, delay.TargetOnset);
        Assert.InRange(delay.ModelOnset!.Value, lag - 1, lag + 1);
        Assert.True(delay.ConfidenceDb > 30, $"{delay.ConfidenceDb} dB");
    }

    [Fact]
    public void Comparing_with_a_recording_uses_the_model_alignment_unless_a_latency_is_given()
    {
        // The "rig" is the model itself behind 30 samples of interface latency, so at the right
        // alignment the comparison is exact (ESR 0, no added delay) and one sample off it is not.
        var folder = Directory.CreateTempSubdirectory("nsmt-compare-tests-").FullName;
        try
        {
            var model = WithLatency(
                new NamLatencyMetadata
                {
                    Calibration = new NamLatencyCalibration { Recommended = 30, SafetyFactor = 1 },
                }
            );
            var di = LatencyRigs.Di.AsSpan(0, 2 * LatencyRigs.Rate).ToArray();
            var recorded = new float[di.Length + 30];
            Processing.AmpProcessor.Process(model, di, LatencyRigs.Rate).CopyTo(recorded, 30);
            string diPath = Path.Combine(folder, "di.wav"),
                reampPath = Path.Combine(folder, "reamp.wav");
            Audio.WavFile.Write(diPath, Audio.AudioBuffer.Mono(LatencyRigs.Rate, di), Audio.WavSampleFormat.Float32);
            Audio.WavFile.Write(
                reampPath,
                Audio.AudioBuffer.Mono(LatencyRigs.Rate, recorded),
                Audio.WavSampleFormat.Float32
            );

            var stored = RecordingComparison.Run(model, diPath, reampPath);
            var given = RecordingComparison.Run(model, diPath, reampPath, latency: 29);

            Assert.Equal(LatencyMethod.Model, stored.Ingest.Latency.Method);
            Assert.Equal(30, stored.Ingest.Latency.Alignment.Latency);
            Assert.Equal(0, stored.Esr, 10);
            Assert.Equal(0, stored.AddedDelay!.AddedDelay, 0.05);
            Assert.Contains("trained with", stored.ToText(), StringComparison.Ordinal);
            Assert.Equal(29, given.Ingest.Latency.Alignment.Latency);
            // Aligned a sample early, the target lags the model's output by one sample.
            Assert.True(given.Esr > 1e-6, $"ESR {given.Esr}");
            Assert.Equal(-1, given.AddedDelay!.AddedDelay, 0.1);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
