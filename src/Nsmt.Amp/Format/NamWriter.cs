using System.Globalization;
using System.Text.Json;
using Nsmt.Amp.Architectures;

namespace Nsmt.Amp.Format;

/// <summary>
/// Writes version 0.5.4 <c>.nam</c> JSON (<see cref="NamFileJson"/>, indented): every legacy key, none of the newer
/// ones, float32 values as their shortest round-trip text, booleans as true/false.
/// </summary>
internal static class NamWriter
{
    public static void Write(NamModel model, Stream stream)
    {
        CheckExportRules(model);
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        JsonSerializer.Serialize(writer, ToJson(model), AmpFormatJsonContext.Default.NamFileJson);
    }

    /// <summary>Rules beyond those every <see cref="NamModel"/> satisfies, needed for a file Core loads as we mean it.</summary>
    public static void CheckExportRules(NamModel model)
    {
        if (model.SampleRate is null)
        {
            throw new NamFormatException(
                null,
                "sample_rate",
                "is unknown; a model we export must state the rate its input must have"
            );
        }

        if (model.Config is WaveNetConfig wavenet && wavenet.HeadScale != model.Weights[^1])
        {
            throw new NamFormatException(
                null,
                "config.head_scale",
                $"is {wavenet.HeadScale.ToString("R", CultureInfo.InvariantCulture)} but the last weight (which Core uses) is "
                    + $"{model.Weights[^1].ToString("R", CultureInfo.InvariantCulture)}; they must be equal"
            );
        }

        if (model.Metadata is { } metadata)
        {
            NamMetadataRules.Check(metadata);
        }
    }

    private static NamFileJson ToJson(NamModel model) =>
        new(
            NamModel.CurrentVersion,
            model.Metadata,
            model.Architecture.ToFileValue(),
            model.Config switch
            {
                WaveNetConfig wavenet => WaveNetJson(wavenet),
                LstmConfig lstm => new LstmConfigJson(lstm.InputSize, lstm.HiddenSize, lstm.NumLayers),
                _ => throw new NamFormatException(null, "config", $"no writer for {model.Config.GetType().Name}"),
            },
            model.Weights,
            model.SampleRate
        );

    private static WaveNetConfigJson WaveNetJson(WaveNetConfig config) =>
        new()
        {
            Layers =
            [
                .. config.LayerArrays.Select(a => new WaveNetLayerArrayJson(
                    a.InputSize,
                    a.ConditionSize,
                    a.HeadSize,
                    a.Channels,
                    a.KernelSize,
                    a.Dilations,
                    a.Activation,
                    a.Gated,
                    a.HeadBias
                )),
            ],
            HeadScale = config.HeadScale,
        };
}
