using System.Globalization;
using Nsmt.Amp.Architectures;
using Nsmt.Amp.Training.Config;
using Nsmt.Amp.Training.Data;
using Nsmt.Amp.Training.Export;
using Nsmt.Amp.Training.Modules;
using Nsmt.Neural.Optimization;
using Nsmt.Runs;
using static TorchSharp.torch;

namespace Nsmt.Amp.Training;

/// <summary>
/// NAM's checkpointing after every validation: the top-k checkpoints by validation ESR plus the last (each also as
/// .nam when the model has that form), and model.nam whenever validation improved. Writes new files first, then
/// the last checkpoint, then deletes the evicted ones, so an interruption at any point leaves a consistent set.
/// </summary>
internal sealed class CheckpointSaving(
    AmpModule model,
    optim.Optimizer optimizer,
    LRScheduler scheduler,
    WeightAverage? average,
    AmpTrainConfig config,
    AmpTrainingData data,
    RunDirectory run,
    string configYaml
) : IAmpTrainingCallback
{
    private const string NamExtension = ".nam";

    public TrainingProgress OnValidationEnd(TrainingProgress current, bool improved)
    {
        var (state, newFile, evicted) = Rank(current, config.Training.TopK);
        // Measured once per validation (loudness and gain run the model), per width of a packed model.
        var measured = new Dictionary<AmpModule, NamMetadata>();
        NamMetadata Metadata(AmpModule module) =>
            measured.TryGetValue(module, out var m)
                ? m
                : measured[module] = TrainedModelMetadata.Build(
                    module,
                    data.SampleRate,
                    config.Metadata,
                    data.ToNamTrainingData(),
                    state.ValidationEsr,
                    DateTime.Now
                );

        if (newFile is not null && evicted.All(e => e.FileName != newFile))
        {
            WriteCheckpoint(Path.Combine(run.Checkpoints, newFile), state, Metadata);
        }

        WriteCheckpoint(run.LastCheckpoint, state, Metadata);
        if (improved && model.IsNamExportable)
        {
            ExportNam(AmpTrainer.ModelFile(run), Metadata);
        }

        foreach (var e in evicted)
        {
            TryDelete(Path.Combine(run.Checkpoints, e.FileName));
            TryDelete(Path.ChangeExtension(Path.Combine(run.Checkpoints, e.FileName), NamExtension));
        }

        return state;
    }

    /// <summary>The ranking with this epoch entered (when it makes the top k), the new file's name and the evicted entries.</summary>
    private static (TrainingProgress State, string? NewFile, List<RankedCheckpoint> Evicted) Rank(
        TrainingProgress current,
        int k
    )
    {
        var ranked = current.TopK.ToList();
        string? newFile = null;
        if (k > 0 && (ranked.Count < k || current.ValidationEsr < ranked[^1].ValidationEsr))
        {
            newFile = string.Create(
                CultureInfo.InvariantCulture,
                $"epoch={current.Epoch + 1:0000}_val_esr={current.ValidationEsr:0.000000}.ckpt"
            );
            ranked.Add(new RankedCheckpoint(current.Epoch, current.ValidationEsr, newFile));
            ranked = ranked.OrderBy(r => r.ValidationEsr).ThenBy(r => r.Epoch).ToList();
        }

        var evicted = ranked.Skip(k).ToList();
        return (current with { TopK = ranked.Take(k).ToList() }, newFile, evicted);
    }

    private void WriteCheckpoint(string path, TrainingProgress state, Func<AmpModule, NamMetadata> metadata)
    {
        AmpTrainer.PrepareForExport(model);
        AmpCheckpoint.Save(
            path,
            model,
            optimizer,
            scheduler,
            state,
            configYaml,
            data.SampleRate,
            average,
            data.ToNamTrainingData()
        );
        if (model.IsNamExportable)
        {
            ExportNam(Path.ChangeExtension(path, NamExtension), metadata);
        }
    }

    /// <summary>The .nam files hold what was validated: the averaged weights when the run averages.</summary>
    private void ExportNam(string path, Func<AmpModule, NamMetadata> metadata)
    {
        using (average?.Apply())
        {
            AmpTrainer.PrepareForExport(model);
            ModelExport.Save(model, path, data.SampleRate, config.Model.ExportVersion, metadata);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // A leftover file costs disk space only; the ranking in the checkpoint is what counts.
        }
    }
}
