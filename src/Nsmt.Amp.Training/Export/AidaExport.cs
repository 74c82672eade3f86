using Nsmt.Amp.Keras;
using Nsmt.Amp.Training.Modules;
using Nsmt.Neural;
using static TorchSharp.torch;

namespace Nsmt.Amp.Training.Export;

/// <summary>
/// Torch recurrent modules as RTNeural/AIDA-X "keras" models. PyTorch keeps W [gates*H][in] and two
/// biases; Keras keeps the kernel transposed, [in][gates*H]. LSTM gate order is the same (i, f, g/c, o)
/// and the two biases sum into one; GRU blocks go from PyTorch's r, z, n to Keras' z, r, h, and its
/// two biases stay apart (rows 0 and 1: the candidate's recurrent bias sits inside the reset gate's
/// product in both).
/// </summary>
public static class AidaExport
{
    /// <summary>A knob-conditioned LSTM/GRU, with its knob ranges, for AIDA-X.</summary>
    public static KerasModel ToKerasModel(ConditionedRnn module, double? sampleRate)
    {
        ArgumentNullException.ThrowIfNull(module);
        var parameters = Parameters(module.Core);
        var inputs = 1 + module.Knobs.Count;
        KerasLayer recurrent =
            module.Cell == RnnCell.Lstm
                ? Lstm(parameters, inputs, module.HiddenSize, layer: 0)
                : Gru(parameters, inputs, module.HiddenSize);
        return new KerasModel(inputs, [recurrent, Head(module.Head.weight, module.Head.bias!, module.HiddenSize)])
        {
            SampleRate = sampleRate,
            Knobs = module.Knobs,
        };
    }

    /// <summary>
    /// A plain NAM LSTM capture for AIDA-X (one layer; AIDA-X starts from a zero state and prewarms
    /// on 2048 samples of silence instead of NAM's stored h0/c0, which changes only the first moments).
    /// </summary>
    public static KerasModel ToKerasModel(NamLstm module, double? sampleRate)
    {
        ArgumentNullException.ThrowIfNull(module);
        if (module.Config.NumLayers != 1)
        {
            throw new NotSupportedException(
                $"AIDA-X plays one recurrent layer; this LSTM has {module.Config.NumLayers}"
            );
        }

        var parameters = Parameters(module.Core);
        var lstm = Lstm(parameters, module.Config.InputSize, module.Config.HiddenSize, layer: 0);
        return new KerasModel(
            module.Config.InputSize,
            [lstm, Head(module.Head.weight, module.Head.bias!, module.Config.HiddenSize)]
        )
        {
            SampleRate = sampleRate,
        };
    }

    private static Dictionary<string, float[]> Parameters(TorchSharp.torch.nn.Module core) =>
        core.named_parameters().ToDictionary(p => p.name, p => Values(p.parameter, p.name));

    private static KerasLstm Lstm(Dictionary<string, float[]> p, int inputs, int hidden, int layer)
    {
        var bias = p[$"bias_ih_l{layer}"].Zip(p[$"bias_hh_l{layer}"], (a, b) => a + b).ToArray();
        return new KerasLstm(
            inputs,
            hidden,
            KerasModel.Transpose(p[$"weight_ih_l{layer}"], 4 * hidden, inputs),
            KerasModel.Transpose(p[$"weight_hh_l{layer}"], 4 * hidden, hidden),
            bias
        );
    }

    private static KerasGru Gru(Dictionary<string, float[]> p, int inputs, int hidden)
    {
        var kernel = KerasModel.Transpose(ToKerasGateOrder(p["weight_ih_l0"], hidden, inputs), 3 * hidden, inputs);
        var recurrent = KerasModel.Transpose(ToKerasGateOrder(p["weight_hh_l0"], hidden, hidden), 3 * hidden, hidden);
        float[] bias =
        [
            .. ToKerasGateOrder(p["bias_ih_l0"], hidden, 1),
            .. ToKerasGateOrder(p["bias_hh_l0"], hidden, 1),
        ];
        return new KerasGru(inputs, hidden, kernel, recurrent, bias);
    }

    private static KerasDense Head(Tensor weight, Tensor bias, int hidden) =>
        new(
            hidden,
            1,
            Values(weight, "head.weight"),
            Values(bias, "head.bias"),
            KerasActivation.None,
            TimeDistributed: false
        );

    /// <summary>Rows of PyTorch's r, z, n blocks ([3H][columns]) reordered to Keras' z, r, h.</summary>
    private static float[] ToKerasGateOrder(float[] rows, int hidden, int columns)
    {
        var block = hidden * columns;
        return [.. rows.AsSpan(block, block), .. rows.AsSpan(0, block), .. rows.AsSpan(2 * block, block)];
    }

    private static float[] Values(Tensor tensor, string name)
    {
        using var scope = NewDisposeScope();
        var data = tensor.detach().to(float32).ToArray<float>();
        if (data.Any(v => !float.IsFinite(v)))
        {
            throw new InvalidOperationException($"cannot export: {name} has a non-finite value; the model diverged");
        }

        return data;
    }
}
