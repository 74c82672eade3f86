using System.Text.Json;
using Nsmt.Amp.Format;

namespace Nsmt.Amp.Keras;

/// <summary>Writes a <see cref="KerasModel"/> as RTNeural "keras" JSON with AIDA-X's fields (the reader's layout).</summary>
internal static class KerasJsonWriter
{
    public static void Write(KerasModel model, Stream stream) =>
        JsonSerializer.Serialize(stream, Document(model), AmpFormatJsonContext.Indented.KerasModelJson);

    private static KerasModelJson Document(KerasModel model) =>
        new(
            Shape(model.InputSize),
            model.InputSkip ? 1 : 0,
            model.InputGainDb,
            model.OutputGainDb,
            model.SampleRate,
            model.Knobs.Count > 0 ? [.. model.Knobs.Select(KnobRangeJson.Of)] : null,
            [.. model.Layers.Select(Layer)]
        );

    private static KerasLayerJson Layer(KerasLayer layer) =>
        new(
            layer.TypeName,
            layer is KerasDense dense ? ActivationName(dense.Activation) : "tanh",
            Shape(layer.OutputSize),
            layer switch
            {
                KerasDense d => [Matrix(d.Kernel, d.InputSize, d.OutputSize), Vector(d.Bias)],
                KerasLstm l =>
                [
                    Matrix(l.Kernel, l.InputSize, 4 * l.OutputSize),
                    Matrix(l.Recurrent, l.OutputSize, 4 * l.OutputSize),
                    Vector(l.Bias),
                ],
                KerasGru g =>
                [
                    Matrix(g.Kernel, g.InputSize, 3 * g.OutputSize),
                    Matrix(g.Recurrent, g.OutputSize, 3 * g.OutputSize),
                    Matrix(g.Bias, 2, 3 * g.OutputSize),
                ],
                _ => [],
            }
        );

    private static string ActivationName(KerasActivation activation) =>
        activation switch
        {
            KerasActivation.None => string.Empty,
            _ => activation.ToString().ToLowerInvariant(),
        };

    /// <summary>Keras' shape of a sequence of feature vectors: batch and time unknown.</summary>
    private static int?[] Shape(int features) => [null, null, features];

    private static float[][] Matrix(float[] values, int rows, int columns) =>
        [.. Enumerable.Range(0, rows).Select(r => Vector(values.AsSpan(r * columns, columns)))];

    private static float[] Vector(ReadOnlySpan<float> values)
    {
        foreach (var value in values)
        {
            if (!float.IsFinite(value))
            {
                throw new InvalidOperationException($"cannot write a non-finite weight ({value}); the model diverged");
            }
        }

        return values.ToArray();
    }
}
