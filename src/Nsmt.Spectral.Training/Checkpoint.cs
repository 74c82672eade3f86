using System.Globalization;
using System.Text;
using Nsmt.Neural.IO;
using Nsmt.Neural.Training;
using Nsmt.Spectral.Data;
using Nsmt.Spectral.Models;
using Nsmt.Spectral.Training.Config;
using static TorchSharp.torch;

namespace Nsmt.Spectral.Training;

/// <summary>
/// A spectral run's checkpoint: the shared layout (<see cref="TrainingCheckpoint"/>: the validated weights as
/// <c>model/…</c>, with weight averaging the live ones as <c>live/…</c>, the optimiser and RNG state, the
/// <see cref="TrainingState"/>) with the resolved config and the dataset's info JSON, so evaluation and resume need
/// nothing else. Checkpoints of the earlier spectral layout (nsmt-checkpoint/1) load too.
/// </summary>
public sealed class Checkpoint : IDisposable
{
    /// <summary>The checkpoints' domain.</summary>
    public const string Domain = "spectral";

    /// <summary>Metadata key of the dataset's info JSON.</summary>
    public const string DatasetKey = "dataset";

    private readonly TrainingCheckpoint _contents;

    private Checkpoint(TrainingCheckpoint contents, TrainConfig config, VimhInfo dataset, string datasetJson)
    {
        _contents = contents;
        Config = config;
        Dataset = dataset;
        DatasetJson = datasetJson;
    }

    public string Path => _contents.Path;
    public TrainConfig Config { get; }
    public VimhInfo Dataset { get; }
    public string DatasetJson { get; }
    public TrainingState State => _contents.State;

    /// <summary>The layout the file was written in (the current one, or an earlier one read as it).</summary>
    public string Layout => _contents.Layout;

    /// <summary>Every tensor of the file by its name in the current layout.</summary>
    public Dictionary<string, Tensor> Tensors => _contents.Tensors;

    /// <summary>The validated model's state dict (with weight averaging: the averaged weights), what evaluation reads.</summary>
    public Dictionary<string, Tensor> Model => _contents.Model;

    /// <summary>The weights training continues from.</summary>
    public Dictionary<string, Tensor> Live => _contents.Live;

    public bool HasLive => _contents.HasLive;

    public IReadOnlyList<HeadSpec> Heads => Data.DatasetHeads.From(Dataset.Heads);

    public InputShape InputShape => new(Dataset.Channels, Dataset.Height, Dataset.Width);

    /// <summary>The file in the shared layout, for the training loop's resume (the caller disposes it).</summary>
    public static TrainingCheckpoint LoadRaw(string path) => TrainingCheckpoint.Load(path, Domain);

    public static Checkpoint Load(string path)
    {
        var contents = LoadRaw(path);
        try
        {
            var config = TrainConfig.FromResolvedYaml(contents.ConfigYaml, path + " (config)");
            var datasetJson = contents.Require(DatasetKey);
            var info = VimhInfo.Parse(Encoding.UTF8.GetBytes(datasetJson), path + " (dataset)");
            return new Checkpoint(contents, config, info, datasetJson);
        }
        catch
        {
            contents.Dispose();
            throw;
        }
    }

    /// <summary>Builds the checkpoint's network (from its own config and dataset heads) with its weights loaded.</summary>
    public MultiheadNetwork CreateModel()
    {
        var model = ModelFactory.Create(
            Config.Model.Network,
            Heads,
            InputShape,
            Config.Model.HeadKind,
            Config.Data.AuxiliaryFeatures.Count
        );
        StateDicts.Load(model, Model, strict: true, origin: Path);
        return model;
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Path} (epoch {State.EpochsCompleted}, step {State.GlobalStep})");

    public void Dispose() => _contents.Dispose();
}
