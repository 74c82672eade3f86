using Nsmt.Amp.Keras;
using Nsmt.Amp.Processing;
using Nsmt.Amp.Training.Config;
using Nsmt.Amp.Training.Data;
using Nsmt.Amp.Training.Modules;
using Nsmt.Core;

namespace Nsmt.Amp.Training.Export;

/// <summary>Turns a training checkpoint into a <c>.nam</c> or AIDA-X file (the model it was trained with, from its embedded config).</summary>
public static class CheckpointExport
{
    /// <summary>Exports the checkpoint's model as its recipe's .nam version; returns a line on what was written.</summary>
    public static string ToNam(string checkpointPath, string output)
    {
        // The same rule as Amp process: an output that is the input (a path, a symbolic or a hard link to it) would
        // replace the checkpoint with JSON, and the run could no longer resume.
        if (FileIdentity.SameFile(output, checkpointPath))
        {
            throw new NsmtInputException(
                output,
                "--output",
                $"expected a file other than the checkpoint ({checkpointPath}): it is the same file and would be replaced by the .nam; choose another output, e.g. model.nam"
            );
        }

        using var checkpoint = AmpCheckpoint.Load(checkpointPath);
        var config = AmpTrainConfig.Parse(checkpoint.ConfigYaml, $"{checkpointPath} (embedded config)");
        using var model = config.Model.CreateModule(checkpoint.SampleRate);
        // The averaged weights, when the run kept an average: those were validated and exported.
        checkpoint.LoadExportedWeights(model);
        if (!model.IsNamExportable)
        {
            throw new NotSupportedException(
                $"{checkpointPath}: {config.Model.Describe()} has no .nam form (only NAM's WaveNets and LSTM)"
            );
        }

        AmpTrainer.PrepareForExport(model);
        // At the recording's level: the run may have trained on normalised targets (data.target_rms_dbfs).
        using var compensated = TargetNormalization.Compensate(model, checkpoint.TargetGain);
        var esr = checkpoint.ValidationEsr;
        double? loudness = null;
        ModelExport.Save(model, output, checkpoint.SampleRate, config.Model.ExportVersion, module =>
        {
            var metadata = TrainedModelMetadata.Build(
                module,
                checkpoint.SampleRate,
                config.Metadata,
                checkpoint.TrainingData,
                double.IsFinite(esr) ? esr : null,
                DateTime.Now
            );
            loudness = metadata.Loudness; // the last measured is the default width's (ModelExport measures it last)
            return metadata;
        });
        return string.Create(
            System.Globalization.CultureInfo.InvariantCulture,
            $"{config.Model.Describe()} as .nam {config.Model.ExportVersion} at {checkpoint.SampleRate} Hz, {model.WeightCount} weights, loudness {loudness:0.0} dB"
        );
    }

    /// <summary>Whether a path names an AIDA-X model file (<c>.json</c> or <c>.aidax</c>) rather than a <c>.nam</c>.</summary>
    public static bool IsAidaPath(string path) => Path.GetExtension(path).ToLowerInvariant() is ".json" or ".aidax";

    /// <summary>An LSTM capture's checkpoint as an AIDA-X model (one layer of a hidden size AIDA-X supports).</summary>
    public static KerasModel ToAida(string checkpointPath, string output)
    {
        using var checkpoint = AmpCheckpoint.Load(checkpointPath);
        var config = AmpTrainConfig.Parse(checkpoint.ConfigYaml, $"{checkpointPath} (embedded config)");
        using var model = config.Model.CreateModule(checkpoint.SampleRate);
        checkpoint.LoadExportedWeights(model);
        if (model is not NamLstm lstm)
        {
            throw new NotSupportedException(
                $"{checkpointPath}: {config.Model.Describe()} has no AIDA-X form (AIDA-X plays LSTM and GRU models; WaveNets stay .nam)"
            );
        }

        var keras = AidaExport.ToKerasModel(lstm, checkpoint.SampleRate);
        KerasModelFile.SaveForAida(keras, output);
        return keras;
    }
}
