using System.Globalization;
using System.Text.Json;
using Nsmt.Amp.Format;
using Nsmt.Amp.Training.Modules;
using Nsmt.Neural.IO;
using Nsmt.Neural.Training;
using static TorchSharp.torch;

namespace Nsmt.Amp.Training;

/// <summary>
/// An amp run's checkpoint: the shared layout (<see cref="TrainingCheckpoint"/>: the validated weights as
/// <c>model/…</c>, with an EMA the live ones as <c>live/…</c>, the optimiser and RNG state, the
/// <see cref="TrainingState"/>) with the resolved config, the sample rate and what ingestion found out about the data
/// (<c>metadata.training.data</c> of the <c>.nam</c>: the alignment the run trained with and the data checks), so that
/// an export from the checkpoint carries the same. Checkpoints of the earlier amp layout (nsmt-amp-checkpoint/1) load too.
/// </summary>
public static class AmpCheckpoint
{
    /// <summary>The checkpoints' domain.</summary>
    public const string Domain = "amp";

    private const string SampleRateKey = "sample_rate";

    /// <summary>Metadata key of the <c>.nam</c>'s <c>metadata.training.data</c> (absent in checkpoints of older runs).</summary>
    private const string TrainingDataKey = "training_data";

    /// <summary>The gain the run's training targets were scaled by (data.target_rms_dbfs); absent when 1.</summary>
    private const string TargetGainKey = "target_gain";

    /// <summary>What an amp checkpoint carries beside the weights.</summary>
    internal static Dictionary<string, string> Metadata(
        int sampleRate,
        NamTrainingData? trainingData,
        double targetGain = 1
    )
    {
        var metadata = new Dictionary<string, string>
        {
            [SampleRateKey] = sampleRate.ToString(CultureInfo.InvariantCulture),
        };
        if (targetGain != 1)
        {
            metadata[TargetGainKey] = targetGain.ToString("R", CultureInfo.InvariantCulture);
        }
        if (trainingData is not null)
        {
            metadata[TrainingDataKey] = TrainingDataJson(trainingData);
        }

        return metadata;
    }

    private static string TrainingDataJson(NamTrainingData data) =>
        JsonSerializer.Serialize(data, AmpFormatJsonContext.Default.NamTrainingData);

    /// <summary>A checkpoint's contents; dispose to free the tensors.</summary>
    public sealed class Contents : IDisposable
    {
        internal Contents(TrainingCheckpoint checkpoint)
        {
            Checkpoint = checkpoint;
        }

        /// <summary>The file in the shared layout (what the training loop resumes from).</summary>
        public TrainingCheckpoint Checkpoint { get; }

        public string Path => Checkpoint.Path;

        public TrainingState State => Checkpoint.State;

        /// <summary>The validation ESR of the checkpoint's epoch (NaN where it has none).</summary>
        public double ValidationEsr => State.Metrics.GetValueOrDefault("val/esr", double.NaN);

        public string ConfigYaml => Checkpoint.ConfigYaml;

        public int SampleRate => int.Parse(Checkpoint.Require(SampleRateKey), CultureInfo.InvariantCulture);

        /// <summary>
        /// The gain the run's targets were scaled by (<see cref="Data.TargetNormalization"/>): an export divides head_scale
        /// by it. 1 where the run did not normalise (and in checkpoints of older runs).
        /// </summary>
        public double TargetGain =>
            Checkpoint.Metadata.TryGetValue(TargetGainKey, out var text)
                ? double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var gain)
                && double.IsFinite(gain)
                && gain > 0
                    ? gain
                    : throw new InvalidDataException(
                        $"{Path}: metadata '{TargetGainKey}' must be a positive number, got '{text}'"
                    )
                : 1;

        /// <summary>The data record the run's <c>.nam</c> files carry (alignment, checks); null in checkpoints of older runs.</summary>
        public NamTrainingData? TrainingData
        {
            get
            {
                if (!Checkpoint.Metadata.TryGetValue(TrainingDataKey, out var json))
                {
                    return null;
                }

                try
                {
                    using var document = JsonDocument.Parse(json);
                    return NamMetadataReader.ParseData(document.RootElement, $"{Path}: {TrainingDataKey}");
                }
                catch (JsonException e)
                {
                    throw new InvalidDataException(
                        $"{Path}: metadata '{TrainingDataKey}' is not valid JSON: {e.Message}",
                        e
                    );
                }
            }
        }

        /// <summary>Puts the checkpoint's validated weights (the averaged ones, where the run averaged) into the model.</summary>
        public void LoadExportedWeights(AmpModule model) => Load(model, Checkpoint.Model);

        private void Load(AmpModule model, Dictionary<string, Tensor> state)
        {
            // TorchSharp says only "state_dict is not identical": name the first weight that differs.
            StateDicts.RequireFit(model.state_dict(), state, Path);

            try
            {
                model.load_state_dict(state);
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException(
                    $"{Path}: the checkpoint does not fit the configured model: {e.Message}",
                    e
                );
            }
        }

        public void Dispose() => Checkpoint.Dispose();
    }

    public static Contents Load(string path) => new(TrainingCheckpoint.Load(path, Domain));
}
