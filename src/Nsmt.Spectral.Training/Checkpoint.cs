using System.Globalization;
using System.Text;
using System.Text.Json;
using Nsmt.Neural.IO;
using Nsmt.Neural.Optimization;
using Nsmt.Spectral.Data;
using Nsmt.Spectral.Models;
using Nsmt.Spectral.Training.Config;
using static TorchSharp.torch;

namespace Nsmt.Spectral.Training;

/// <summary>
/// Where training stands after an epoch: everything besides tensors that an exact resume needs.
/// </summary>
public sealed record TrainerState
{
    /// <summary>Epochs completed (the next epoch to run has this index).</summary>
    public int EpochsCompleted { get; init; }
    public long GlobalStep { get; init; }
    public double? BestMonitorValue { get; init; }
    public int BestEpoch { get; init; } = -1;
    public double? EarlyStoppingBest { get; init; }
    public int EarlyStoppingWait { get; init; }
    public Dictionary<string, double> MetricBests { get; init; } = [];
    public Dictionary<string, double> Scheduler { get; init; } = [];
    public Dictionary<string, double> Metrics { get; init; } = [];
}

/// <summary>
/// A checkpoint file: safetensors holding the model weights (<c>model.*</c>), the optimiser's state
/// (<c>optimizer_state</c>) and the RNG state, with metadata carrying the resolved config, the dataset's info JSON
/// and the <see cref="TrainerState"/>, so evaluation and resume need nothing else.
/// </summary>
public sealed class Checkpoint : IDisposable
{
    public const string Format = "nsmt-checkpoint/1";

    private Checkpoint(
        string path,
        TrainConfig config,
        VimhInfo dataset,
        string datasetJson,
        TrainerState state,
        Dictionary<string, Tensor> tensors
    )
    {
        Path = path;
        Config = config;
        Dataset = dataset;
        DatasetJson = datasetJson;
        State = state;
        Tensors = tensors;
    }

    public string Path { get; }
    public TrainConfig Config { get; }
    public VimhInfo Dataset { get; }
    public string DatasetJson { get; }
    public TrainerState State { get; }
    public Dictionary<string, Tensor> Tensors { get; }

    public IReadOnlyList<HeadSpec> Heads => Data.DatasetHeads.From(Dataset.Heads);

    public InputShape InputShape => new(Dataset.Channels, Dataset.Height, Dataset.Width);

    /// <summary>Prefix of the live (not averaged) weights in a checkpoint of a run with weight averaging, for resume.</summary>
    public const string LivePrefix = "live.";

    /// <param name="live">With weight averaging: the live weights (saved under <see cref="LivePrefix"/>) while
    /// <paramref name="model"/> holds the averaged ones, which evaluation and export read as <c>model.*</c>.</param>
    public static void Save(
        string path,
        TrainConfig config,
        string datasetJson,
        TrainerState state,
        nn.Module model,
        optim.Optimizer optimizer,
        IReadOnlyDictionary<string, Tensor>? live = null
    )
    {
        using var scope = NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>();
        foreach (var (name, t) in model.state_dict())
        {
            tensors["model." + name] = t;
        }

        foreach (var (name, t) in live ?? new Dictionary<string, Tensor>())
        {
            tensors[LivePrefix + name] = t;
        }

        tensors[OptimizerStates.TensorName] = OptimizerStates.ToTensor(optimizer);
        tensors["rng_state"] = random.get_rng_state();
        var metadata = new Dictionary<string, string>
        {
            ["format"] = Format,
            ["config"] = config.ResolvedYaml,
            ["dataset"] = datasetJson,
            ["trainer_state"] = JsonSerializer.Serialize(state),
        };
        SafeTensors.Save(path, tensors, metadata);
    }

    public static Checkpoint Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: checkpoint not found", path);
        }

        var (tensors, metadata) = SafeTensors.Load(path);
        try
        {
            string Field(string key) =>
                metadata.TryGetValue(key, out var v)
                    ? v
                    : throw new InvalidDataException(
                        $"{path}: not an NSMT.NET checkpoint (metadata field '{key}' missing)"
                    );
            if (Field("format") != Format)
            {
                throw new InvalidDataException(
                    $"{path}: field 'format': expected '{Format}', got '{metadata["format"]}'"
                );
            }

            var config = TrainConfig.FromResolvedYaml(Field("config"), path + " (config)");
            var datasetJson = Field("dataset");
            var info = VimhInfo.Parse(Encoding.UTF8.GetBytes(datasetJson), path + " (dataset)");
            var state = JsonSerializer.Deserialize<TrainerState>(Field("trainer_state"))
                ?? throw new InvalidDataException($"{path}: field 'trainer_state' is empty");
            return new Checkpoint(path, config, info, datasetJson, state, tensors);
        }
        catch
        {
            foreach (var t in tensors.Values)
            {
                t.Dispose();
            }

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
        StateDicts.Load(model, Prefixed("model."), strict: true, origin: Path);
        return model;
    }

    public Dictionary<string, Tensor> Prefixed(string prefix) =>
        Tensors
            .Where(t => t.Key.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(t => t.Key[prefix.Length..], t => t.Value);

    /// <summary>Puts the checkpoint's optimiser state into <paramref name="optimizer"/> (for an exact resume).</summary>
    public void LoadOptimizerState(optim.Optimizer optimizer) => OptimizerStates.Load(optimizer, Tensors, Path);

    public Tensor RngState =>
        Tensors.TryGetValue("rng_state", out var t)
            ? t
            : throw new InvalidDataException($"{Path}: no rng_state tensor");

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Path} (epoch {State.EpochsCompleted}, step {State.GlobalStep})");

    public void Dispose()
    {
        foreach (var t in Tensors.Values)
        {
            t.Dispose();
        }
    }
}
