using Nsmt.Audio;
using Nsmt.Audio.Synth;
using Nsmt.Outputs;
using Nsmt.Plots;
using Nsmt.Spectral.Data;

namespace Nsmt.Spectral.Training.Evaluation;

/// <summary>One test sample re-synthesised from its true and its predicted parameters.</summary>
public sealed record ReconstructionSample(
    int Index,
    IReadOnlyDictionary<string, (double True, double Predicted)> Parameters,
    AudioComparison Audio
)
{
    public double AbsoluteError(string name) => Math.Abs(Parameters[name].Predicted - Parameters[name].True);
}

/// <summary>
/// The audio reconstruction evaluation: predicted parameter values (class -> min + class*step; regression -> the
/// physical value) and fixed parameters from the metadata drive the dataset's synthesiser, and the clip is compared
/// with the one from the true values.
/// </summary>
public static class Reconstruction
{
    public static IReadOnlyList<ReconstructionSample> Run(
        VimhDataset dataset,
        SplitResult result,
        int count,
        string output
    )
    {
        if (count <= 0)
        {
            return [];
        }

        Directory.CreateDirectory(output);
        var info = dataset.Info;
        var sampleRate = info.SampleRate
            ?? throw new InvalidDataException($"{info.Path}: sample_rate is needed to re-synthesise audio");
        var duration = info.Duration
            ?? throw new InvalidDataException($"{info.Path}: duration is needed to re-synthesise audio");
        var synth = new SimpleSawSynth(sampleRate);
        var samples = new List<ReconstructionSample>();
        var figure = new Figure(1, 760, 170)
        {
            Title = "Audio reconstruction: true (blue) vs predicted (orange) parameters, first 100 ms",
        };
        // Spread the chosen samples over the split rather than taking the first few (generation order is random anyway).
        for (var k = 0; k < count; k++)
        {
            var index = (int)((long)k * result.Count / count);
            var parameters = new Dictionary<string, (double, double)>();
            var trueValues = new List<KeyValuePair<string, double>>();
            var predictedValues = new List<KeyValuePair<string, double>>();
            foreach (var (name, spec) in info.ParameterMappings)
            {
                var head = result.Objectives.ToList().FindIndex(o => o.Head.Name == name);
                var truth =
                    head < 0 ? spec.Min.Value : result.Objectives[head].Head.ValueOfClass(result.Truth[head][index]);
                var predicted = head < 0 ? spec.Min.Value : result.PredictedValues[head][index];
                trueValues.Add(KeyValuePair.Create(name, truth));
                predictedValues.Add(KeyValuePair.Create(name, predicted));
                if (head >= 0)
                {
                    parameters[name] = (truth, predicted);
                }
            }
            var trueAudio = synth.Render(SawSynthParameters.FromValues(trueValues, duration));
            var predictedAudio = synth.Render(SawSynthParameters.FromValues(predictedValues, duration));
            WavFile.Write(Path.Combine(output, $"sample_{index:D4}_true.wav"), AudioBuffer.Mono(sampleRate, trueAudio));
            WavFile.Write(
                Path.Combine(output, $"sample_{index:D4}_predicted.wav"),
                AudioBuffer.Mono(sampleRate, predictedAudio)
            );
            samples.Add(
                new ReconstructionSample(index, parameters, AudioComparison.Compute(trueAudio, predictedAudio))
            );
            var window = Math.Min(trueAudio.Length, sampleRate / 10);
            figure.Add(
                new LineChart { Title = $"test sample {index}", XLabel = "time (s)" }
                    .Add("true", trueAudio.AsSpan(0, window), 0, 1.0 / sampleRate, "#1f77b4")
                    .Add("predicted", predictedAudio.AsSpan(0, window), 0, 1.0 / sampleRate, "#ff7f0e", dash: "4,2")
            );
        }
        figure.Save(Path.Combine(output, EvaluationFiles.ReconstructionFigure));
        return samples;
    }

    internal static ReconstructionJson ToJson(IReadOnlyList<ReconstructionSample> samples) =>
        new(
            [
                .. samples.Select(s => new ReconstructionSampleJson(
                    s.Index,
                    s.Parameters.ToDictionary(
                        p => p.Key,
                        p => new ParameterJson(
                            p.Value.True,
                            p.Value.Predicted,
                            Math.Abs(p.Value.Predicted - p.Value.True)
                        )
                    ),
                    s.Audio.Mse,
                    s.Audio.Rmse,
                    Finite(s.Audio.SnrDb),
                    s.Audio.Correlation,
                    s.Audio.MaxCrossCorrelation,
                    s.Audio.IsGood
                )),
            ],
            samples.Count == 0 ? null : Finite(samples.Average(s => Math.Min(s.Audio.SnrDb, 200))),
            samples.Count == 0 ? null : samples.Average(s => s.Audio.Correlation),
            samples.Count == 0 ? null : samples.Count(s => s.Audio.IsGood) / (double)samples.Count,
            "good: SNR > 20 dB and correlation > 0.8 (relative parameter error < 10% of range)"
        );

    // JSON has no infinity: an exact reconstruction (zero error) reports SNR as null.
    private static double? Finite(double v) => double.IsFinite(v) ? Math.Round(v, 6) : null;
}
