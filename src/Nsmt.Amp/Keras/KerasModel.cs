namespace Nsmt.Amp.Keras;

/// <summary>Activation applied after a dense layer, by RTNeural's name for it ("" is none).</summary>
public enum KerasActivation
{
    None,
    Tanh,
    Relu,
    Sigmoid,
    Elu,
    Softmax,
}

/// <summary>One layer of an RTNeural "keras" model; weights are kept in Keras' own layout.</summary>
public abstract record KerasLayer(int InputSize, int OutputSize)
{
    /// <summary>The layer's <c>type</c> in the JSON file.</summary>
    public abstract string TypeName { get; }
}

/// <summary>
/// <c>dense</c> / <c>time-distributed-dense</c> (the same per-sample map in a streaming model):
/// y = act(x . Kernel + Bias), Kernel [in][out] row-major.
/// </summary>
public sealed record KerasDense(
    int InputSize,
    int OutputSize,
    float[] Kernel,
    float[] Bias,
    KerasActivation Activation,
    bool TimeDistributed
) : KerasLayer(InputSize, OutputSize)
{
    public override string TypeName => TimeDistributed ? "time-distributed-dense" : "dense";
}

/// <summary>
/// <c>lstm</c>: Keras' gate order i, f, c, o; Kernel [in][4H], Recurrent [H][4H], Bias [4H]
/// (one bias: PyTorch's two biases are summed on export).
/// </summary>
public sealed record KerasLstm(int InputSize, int OutputSize, float[] Kernel, float[] Recurrent, float[] Bias)
    : KerasLayer(InputSize, OutputSize)
{
    public override string TypeName => "lstm";
}

/// <summary>
/// <c>gru</c> with Keras' reset_after convention: gate order z, r, h; Kernel [in][3H],
/// Recurrent [H][3H], Bias [2][3H] (row 0 input bias, row 1 recurrent bias; the candidate's
/// recurrent bias sits inside the reset gate's product, as in PyTorch's GRU).
/// </summary>
public sealed record KerasGru(int InputSize, int OutputSize, float[] Kernel, float[] Recurrent, float[] Bias)
    : KerasLayer(InputSize, OutputSize)
{
    public override string TypeName => "gru";
}

/// <summary>
/// A knob a conditioned model takes as an extra input. AIDA-X feeds its PARAM1/PARAM2 controls in
/// [0, 1]; the model was trained on <c>(value - Minimum) / (Maximum - Minimum)</c>, so the file
/// records the range to map the amp's own units (e.g. gain_db 0..18) onto it.
/// </summary>
public sealed record KnobRange(string Name, double Minimum, double Maximum)
{
    public double Normalize(double value) => (value - Minimum) / (Maximum - Minimum);
}

/// <summary>
/// A model as RTNeural reads it from "keras" JSON, with AIDA-X's fields: the first input is the
/// audio sample, the others knob values (<see cref="Knobs"/>); the audio is scaled by
/// <see cref="InputGainDb"/> before the network, the network's output is added to that scaled input
/// when <see cref="InputSkip"/> is set, and the result is scaled by <see cref="OutputGainDb"/>.
/// </summary>
public sealed record KerasModel(int InputSize, IReadOnlyList<KerasLayer> Layers)
{
    public bool InputSkip { get; init; }

    public double InputGainDb { get; init; }

    public double OutputGainDb { get; init; }

    /// <summary>Rate the model was trained at (Hz), when the file says.</summary>
    public double? SampleRate { get; init; }

    /// <summary>The knob inputs, in input order after the audio; empty or <see cref="InputSize"/> - 1 long.</summary>
    public IReadOnlyList<KnobRange> Knobs { get; init; } = [];

    public int OutputSize => Layers.Count == 0 ? InputSize : Layers[^1].OutputSize;

    /// <summary>Knob inputs the network takes (every input but the audio).</summary>
    public int KnobCount => InputSize - 1;

    /// <summary>
    /// A row-major [rows][columns] matrix transposed: Keras keeps kernels [in][out], PyTorch and our engine's
    /// dot products [out][in].
    /// </summary>
    public static float[] Transpose(float[] values, int rows, int columns)
    {
        ArgumentNullException.ThrowIfNull(values);
        var result = new float[values.Length];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                result[(c * rows) + r] = values[(r * columns) + c];
            }
        }

        return result;
    }
}
