using Nsmt.Amp.Architectures;
using Nsmt.Amp.Keras;
using Nsmt.Amp.Training.Config;
using Nsmt.Amp.Training.Modules;
using Nsmt.Amp.Training;

namespace Nsmt.Amp.Training.Export;

/// <summary>Turns a training checkpoint into a <c>.nam</c> or AIDA-X file (the model it was trained with, from its embedded config).</summary>
public static class CheckpointExport
{
    public static NamModel ToNam(string checkpointPath, string output)
    {
        using var checkpoint = AmpCheckpoint.Load(checkpointPath);
        var config = AmpTrainConfig.Parse(checkpoint.ConfigYaml, $"{checkpointPath} (embedded config)");
        using AmpModule model = config.Model.CreateModule(checkpoint.SampleRate);
        // The averaged weights, when the run kept an average: those were validated and exported.
        checkpoint.LoadExportedWeights(model);
        if (!model.IsNamExportable)
        {
            throw new NotSupportedException($"{checkpointPath}: {config.Model.Describe()} has no .nam form (only NAM's A1 WaveNet and LSTM)");
        }

        if (model is NamLstm lstm)
        {
            lstm.SetInitialStateFromSilence();
        }

        double esr = checkpoint.Progress.ValidationEsr;
        var metadata = TrainedModelMetadata.Build(model, checkpoint.SampleRate, config.Metadata, data: null,
            double.IsFinite(esr) ? esr : null, DateTime.Now);
        return NamExport.Save(model, output, checkpoint.SampleRate, metadata);
    }

    /// <summary>Whether a path names an AIDA-X model file (<c>.json</c> or <c>.aidax</c>) rather than a <c>.nam</c>.</summary>
    public static bool IsAidaPath(string path) =>
        Path.GetExtension(path).ToLowerInvariant() is ".json" or ".aidax";

    /// <summary>An LSTM capture's checkpoint as an AIDA-X model (one layer of a hidden size AIDA-X supports).</summary>
    public static KerasModel ToAida(string checkpointPath, string output)
    {
        using var checkpoint = AmpCheckpoint.Load(checkpointPath);
        var config = AmpTrainConfig.Parse(checkpoint.ConfigYaml, $"{checkpointPath} (embedded config)");
        using AmpModule model = config.Model.CreateModule(checkpoint.SampleRate);
        checkpoint.LoadExportedWeights(model);
        if (model is not NamLstm lstm)
        {
            throw new NotSupportedException($"{checkpointPath}: {config.Model.Describe()} has no AIDA-X form (AIDA-X plays LSTM and GRU models; WaveNets stay .nam)");
        }

        var keras = AidaExport.ToKerasModel(lstm, checkpoint.SampleRate);
        KerasModelFile.SaveForAida(keras, output);
        return keras;
    }
}
