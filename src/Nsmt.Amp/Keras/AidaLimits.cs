using Nsmt.Amp.Format;

namespace Nsmt.Amp.Keras;

/// <summary>
/// The models AIDA-X plays (its model_variant list): one LSTM or GRU layer straight on the input, then one
/// dense layer to a single output, with 1-3 inputs (audio, PARAM1, PARAM2) and these hidden sizes.
/// </summary>
public static class AidaLimits
{
    public static IReadOnlyList<int> HiddenSizes { get; } = [8, 12, 16, 20, 24, 32, 40, 64, 80];

    public const int MaxInputs = 3;

    /// <summary>Throws, naming what AIDA-X would refuse, unless the model is one AIDA-X loads.</summary>
    public static void Check(KerasModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.InputSize is < 1 or > MaxInputs)
        {
            throw new NamFormatException(
                null,
                "in_shape",
                $"AIDA-X takes 1 to {MaxInputs} inputs (audio and up to 2 knobs), this model has {model.InputSize}"
            );
        }

        if (
            model.Layers.Count != 2
            || model.Layers[0] is not (KerasLstm or KerasGru)
            || model.Layers[1] is not KerasDense { OutputSize: 1, Activation: KerasActivation.None }
        )
        {
            throw new NamFormatException(
                null,
                "layers",
                "AIDA-X plays one lstm or gru layer followed by one linear dense layer with 1 output"
            );
        }

        var hidden = model.Layers[0].OutputSize;
        if (!HiddenSizes.Contains(hidden))
        {
            throw new NamFormatException(
                null,
                "layers[0].shape",
                $"AIDA-X supports hidden sizes {string.Join("/", HiddenSizes)}, this model has {hidden}"
            );
        }
    }
}
