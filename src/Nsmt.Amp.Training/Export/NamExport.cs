using Nsmt.Amp.Architectures;
using Nsmt.Amp.Format;
using Nsmt.Amp.Training.Modules;
using Nsmt.Neural;
using static TorchSharp.torch;

namespace Nsmt.Amp.Training.Export;

/// <summary>
/// Conversion between the torch modules and <see cref="NamModel"/> (the flat <c>.nam</c> weight
/// vector in nam-format.md's order), and loading of <c>.nam</c> files into torch modules.
/// </summary>
public static class NamExport
{
    /// <summary>
    /// The module's weights in <c>.nam</c> order (WaveNet: head_scale last; LSTM: h0/c0 as stored in
    /// the module). Fails, naming the parameter, when a value is not finite.
    /// </summary>
    public static NamModel ToNamModel(AmpModule module, double sampleRate, NamMetadata? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        return module switch
        {
            NamWaveNet wavenet => new NamModel(
                wavenet.Config with
                {
                    HeadScale = wavenet.HeadScale,
                },
                WaveNetWeights(wavenet),
                sampleRate,
                metadata
            ),
            NamLstm lstm => new NamModel(lstm.Config, LstmWeights(lstm), sampleRate, metadata),
            _ => throw new NotSupportedException(
                $"{module.TypeName()} has no .nam representation (only NAM's A1 WaveNet and LSTM do)"
            ),
        };
    }

    /// <summary>Exports and saves atomically (version 0.5.4).</summary>
    public static NamModel Save(AmpModule module, string path, double sampleRate, NamMetadata? metadata = null)
    {
        var model = ToNamModel(module, sampleRate, metadata);
        NamFile.Save(model, path);
        return model;
    }

    /// <summary>A torch module holding a <c>.nam</c> model's weights (A1 WaveNet, LSTM, or an A2 WaveNet of 0.6/0.7).</summary>
    public static AmpModule FromNamModel(NamModel model, int lstmBurnIn = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Config switch
        {
            WaveNetConfig config => LoadWaveNet(config, model),
            LstmConfig config => LoadLstm(config, model, lstmBurnIn),
            // A 0.6/0.7 WaveNet trains as an A2, the one such architecture we train; anything else is refused by field.
            ExtendedWaveNetConfig => A2NamFile.FromWeights(A2Config.From(model.Config, null, "config"), model.Weights),
            _ => throw new NamFormatException(
                null,
                "config",
                $"this {model.Architecture.ToFileValue()} model ({model.Config.GetType().Name}) plays in the engine but cannot be imported into a torch module yet (A1 WaveNet, A2 and LSTM only)"
            ),
        };
    }

    /// <summary>
    /// Reads a <c>.nam</c> file into a torch module. A file using a key we do not support fails with
    /// <see cref="NamFormatException"/> naming the file and the key.
    /// </summary>
    public static AmpModule Load(string path, int lstmBurnIn = 0)
    {
        try
        {
            return FromNamModel(NamFile.Load(path), lstmBurnIn);
        }
        catch (NamFormatException e) when (e.FilePath is null)
        {
            throw e.WithFile(path);
        }
    }

    private static float[] WaveNetWeights(NamWaveNet module)
    {
        var values = new List<float>(module.Config.ParameterCount);
        foreach (var (tensor, name) in WaveNetTensors(module))
        {
            Append(values, tensor, name);
        }

        values.Add(module.HeadScale);
        return values.ToArray();
    }

    private static float[] LstmWeights(NamLstm module)
    {
        using var scope = NewDisposeScope();
        var values = new List<float>(module.Config.ParameterCount);
        foreach (var (tensor, name) in LstmTensors(module))
        {
            Append(values, tensor, name);
        }

        return values.ToArray();
    }

    /// <summary>The tensors of the flat vector, in order (without head_scale); weights are [out][in][k] row-major.</summary>
    private static IEnumerable<(Tensor tensor, string name)> WaveNetTensors(NamWaveNet module) =>
        NamWaveNetLayerArray.WeightTensors(module.Arrays);

    /// <summary>
    /// Per layer: [weight_ih | weight_hh] row by row (a temporary), bias_ih + bias_hh, h0, c0; then head.
    /// Each yielded tensor is disposed by the caller's scope.
    /// </summary>
    private static IEnumerable<(Tensor tensor, string name)> LstmTensors(NamLstm module)
    {
        var parameters = module.Core.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
        for (var l = 0; l < module.Config.NumLayers; l++)
        {
            yield return (
                cat([parameters[$"weight_ih_l{l}"], parameters[$"weight_hh_l{l}"]], 1),
                $"core.weight_ih_l{l}|weight_hh_l{l}"
            );
            yield return (parameters[$"bias_ih_l{l}"] + parameters[$"bias_hh_l{l}"], $"core.bias_ih_l{l}+bias_hh_l{l}");
            yield return (module.InitialHidden[l], $"initial_hidden[{l}]");
            yield return (module.InitialCell[l], $"initial_cell[{l}]");
        }

        yield return (module.Head.weight, "head.weight");
        yield return (module.Head.bias!, "head.bias");
    }

    internal static void Append(List<float> values, Tensor tensor, string name)
    {
        using var scope = NewDisposeScope();
        var data = tensor.detach().contiguous().to(float32).ToArray<float>();
        for (var i = 0; i < data.Length; i++)
        {
            if (!float.IsFinite(data[i]))
            {
                throw new InvalidOperationException(
                    $"cannot export: {name} has a non-finite value ({data[i]}) at flat index {i}; the model diverged"
                );
            }
        }

        values.AddRange(data);
    }

    private static NamWaveNet LoadWaveNet(WaveNetConfig config, NamModel model)
    {
        var scale = model.EffectiveHeadScale;
        // Core takes the scale from the last weight; keep that value so outputs match Core's.
        var module = new NamWaveNet(config with { HeadScale = scale });
        var offset = 0;
        using (no_grad())
        {
            foreach (var (tensor, name) in WaveNetTensors(module))
            {
                offset = Fill(tensor, model.Weights, offset, name);
            }
        }

        ExpectConsumed(model, offset + 1);
        return module;
    }

    private static NamLstm LoadLstm(LstmConfig config, NamModel model, int burnIn)
    {
        var module = new NamLstm(config, burnIn, model.SampleRate);
        var parameters = module.Core.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
        int h = config.HiddenSize,
            offset = 0;
        using (no_grad())
        {
            for (var l = 0; l < config.NumLayers; l++)
            {
                var input = l == 0 ? config.InputSize : h;
                using var w = TensorExtensions.FromSpan<float>(
                    model.Weights.AsSpan(offset, 4 * h * (input + h)),
                    4 * h,
                    input + h
                );
                offset += 4 * h * (input + h);
                parameters[$"weight_ih_l{l}"].copy_(w.narrow(1, 0, input));
                parameters[$"weight_hh_l{l}"].copy_(w.narrow(1, input, h));
                // Core uses only the sum of the two biases; put it all in bias_ih.
                offset = Fill(parameters[$"bias_ih_l{l}"], model.Weights, offset, $"bias_ih_l{l}");
                parameters[$"bias_hh_l{l}"].zero_();
                using var hidden = module.InitialHidden[l];
                offset = Fill(hidden, model.Weights, offset, $"h0[{l}]");
                using var cell = module.InitialCell[l];
                offset = Fill(cell, model.Weights, offset, $"c0[{l}]");
            }

            offset = Fill(module.Head.weight, model.Weights, offset, "head.weight");
            offset = Fill(module.Head.bias!, model.Weights, offset, "head.bias");
        }

        ExpectConsumed(model, offset);
        return module;
    }

    internal static int Fill(Tensor target, float[] weights, int offset, string name)
    {
        var count = checked((int)target.numel());
        if (offset + count > weights.Length)
        {
            throw new NamFormatException(
                null,
                "weights",
                $"too few weights for {name}: need {offset + count}, have {weights.Length}"
            );
        }

        using var source = TensorExtensions.FromSpan<float>(weights.AsSpan(offset, count), target.shape);
        target.copy_(source);
        return offset + count;
    }

    private static void ExpectConsumed(NamModel model, int consumed)
    {
        if (consumed != model.Weights.Length)
        {
            throw new NamFormatException(
                null,
                "weights",
                $"the {model.Architecture.ToFileValue()} config uses {consumed} weights, the model has {model.Weights.Length}"
            );
        }
    }
}
