using Nsmt.Amp.Architectures;
using Nsmt.Amp.Keras;
using Nsmt.Neural;
using Nsmt.Neural.Engine;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nsmt.Amp.Training.Modules;

/// <summary>
/// One layer of a <see cref="KnobWaveNet"/>: NAM A1's layer (z = conv(h) + mixin(c); a = tanh(z); h' = h + 1x1(a))
/// whose condition c is [audio; knobs] (1 + K channels), with a FiLM block before the activation
/// (NAM 0.6's <c>activation_pre_film</c> with shift): z = scale(c) * z + shift(c), scale and shift one 1x1 conv of c.
/// </summary>
public sealed class KnobWaveNetLayer : nn.Module
{
    public KnobWaveNetLayer(int channels, int kernelSize, int dilation, int conditionSize)
        : base(nameof(KnobWaveNetLayer))
    {
        Channels = channels;
        Dilation = dilation;
        // Registered in the order of the exported weights (KnobWaveNet.Weights).
        register_module("conv", Conv = nn.Conv1d(channels, channels, kernelSize, dilation: dilation));
        register_module("input_mixer", InputMixer = nn.Conv1d(conditionSize, channels, 1, bias: false));
        register_module("1x1", OneByOne = nn.Conv1d(channels, channels, 1));
        register_module("film", Film = nn.Conv1d(conditionSize, 2 * channels, 1));
        using (no_grad())
        {
            // FiLM starts as the identity (scale 1, shift 0): the untrained model is an A1 WaveNet whose input mixin
            // also sees the knobs, and training grows the knobs' multiplicative effect from there.
            Film.weight!.zero_();
            Film.bias!.zero_();
            Film.bias!.narrow(0, 0, channels).fill_(1.0);
        }
    }

    public Conv1d Conv { get; }

    public Conv1d InputMixer { get; }

    public Conv1d OneByOne { get; }

    /// <summary>condition to [scale rows; shift rows] (2C), NAM's FiLM layout.</summary>
    public Conv1d Film { get; }

    public int Channels { get; }

    public int Dilation { get; }

    public int History => (int)((Conv.kernel_size[0] - 1) * Dilation);

    /// <summary>h [B, C, L] and the condition [B, 1+K, &gt;= L], right-aligned: (activation, next residual or null).</summary>
    public (Tensor activation, Tensor? next) Run(Tensor h, Tensor condition, bool residual)
    {
        var length = h.size(2) - History;
        var c = condition.narrow(2, condition.size(2) - length, length);
        var z = Conv.call(h) + InputMixer.call(c);
        var film = Film.call(c);
        var a = ((z * film.narrow(1, 0, Channels)) + film.narrow(1, Channels, Channels)).tanh();
        var next = residual ? h.narrow(2, h.size(2) - length, length) + OneByOne.call(a) : null;
        return (a, next);
    }
}

/// <summary>One layer array of a <see cref="KnobWaveNet"/>: rechannel, layers, head rechannel (A1's order).</summary>
public sealed class KnobWaveNetLayerArray : nn.Module
{
    public KnobWaveNetLayerArray(WaveNetLayerArrayConfig config, int conditionSize)
        : base(nameof(KnobWaveNetLayerArray))
    {
        register_module("rechannel", Rechannel = nn.Conv1d(config.InputSize, config.Channels, 1, bias: false));
        register_module(
            "layers",
            Layers = new ModuleList<KnobWaveNetLayer>([
                .. config.Dilations.Select(d => new KnobWaveNetLayer(
                    config.Channels,
                    config.KernelSize,
                    d,
                    conditionSize
                )),
            ])
        );
        register_module(
            "head_rechannel",
            HeadRechannel = nn.Conv1d(config.Channels, config.HeadSize, 1, bias: config.HeadBias)
        );
    }

    public Conv1d Rechannel { get; }

    public ModuleList<KnobWaveNetLayer> Layers { get; }

    public Conv1d HeadRechannel { get; }

    /// <summary>As <see cref="NamWaveNetLayerArray.Run"/>, with the knob condition.</summary>
    public (Tensor head, Tensor? residual) Run(
        Tensor input,
        Tensor condition,
        Tensor? headIn,
        long outLength,
        bool needResidual
    )
    {
        var h = Rechannel.call(input);
        var s = headIn;
        for (var l = 0; l < Layers.Count; l++)
        {
            var last = l == Layers.Count - 1;
            var (a, next) = Layers[l].Run(h, condition, residual: !last || needResidual);
            var tail = a.narrow(2, a.size(2) - outLength, outLength);
            s = s is null ? tail : s + tail;
            if (next is not null)
            {
                h = next;
            }
        }

        return (HeadRechannel.call(s!), needResidual ? h : null);
    }
}

/// <summary>
/// A knob-conditioned WaveNet: NAM's A1 architecture (a preset's layer arrays, Tanh, not gated) whose condition is
/// the audio plus the normalised knob values as extra channels (1 + K), used two ways in every layer: additively
/// through the input mixin (as A1 mixes in the audio) and multiplicatively through a FiLM block before the
/// activation. A gain knob scales the signal ahead of the amp's nonlinearity: FiLM's scale expresses that directly,
/// which a sum can only approximate by shifting the tanh's operating point. Both are fields .nam 0.6 already defines
/// (<c>condition_size</c>, <c>activation_pre_film</c>), so the file form is a 0.6 WaveNet with a knob list
/// (KnobWaveNetFile); NAM Core has no knob input, so it is not a .nam.
/// </summary>
public sealed class KnobWaveNet : KnobModule
{
    public KnobWaveNet(WaveNetConfig architecture, IReadOnlyList<KnobRange> knobs)
        : base(nameof(KnobWaveNet), knobs)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        if (
            knobs.Count < 1
            || architecture.LayerArrays.Any(a => a.Gated || a.Activation != WaveNetLayerArrayConfig.TanhActivation)
        )
        {
            throw new ArgumentException(
                "a knob WaveNet takes 1 or more knobs and ungated Tanh layer arrays (NAM's A1 presets)",
                nameof(architecture)
            );
        }

        EngineGuard.Ensure(); // the CPU's float32 kernels are checked before the first model is built (issue 29)
        Architecture = architecture;
        register_module(
            "layer_arrays",
            Arrays = new ModuleList<KnobWaveNetLayerArray>([
                .. architecture.LayerArrays.Select(a => new KnobWaveNetLayerArray(a, 1 + knobs.Count)),
            ])
        );
    }

    public WaveNetConfig Architecture { get; }

    public ModuleList<KnobWaveNetLayerArray> Arrays { get; }

    public float HeadScale => Architecture.HeadScale;

    public int ReceptiveField => Architecture.ReceptiveField;

    public override int Context => ReceptiveField - 1;

    public override Tensor forward(Tensor audio, Tensor knobs)
    {
        using var scope = NewDisposeScope();
        long batch = audio.size(0),
            length = audio.size(1);
        var outLength = length - Context;
        if (outLength < 1)
        {
            throw new ArgumentException(
                $"input of {length} samples is shorter than the receptive field ({ReceptiveField})"
            );
        }

        var x = audio.unsqueeze(1);
        var condition = cat([x, knobs.unsqueeze(2).expand(batch, Knobs.Count, length)], 1);
        var input = x;
        Tensor? head = null;
        for (var j = 0; j < Arrays.Count; j++)
        {
            var last = j == Arrays.Count - 1;
            var (h, residual) = Arrays[j].Run(input, condition, head, outLength, needResidual: !last);
            head = h;
            if (residual is not null)
            {
                input = residual;
            }
        }

        return (head!.squeeze(1) * HeadScale).MoveToOuterDisposeScope();
    }

    public override double[] Process(ReadOnlySpan<float> input, IReadOnlyList<double> knobValues)
    {
        var wasTraining = training;
        eval();
        try
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            var dtype = Arrays[0].Rechannel.weight!.dtype;
            var padded = new float[Context + input.Length];
            input.CopyTo(padded.AsSpan(Context));
            var audio = TensorExtensions.FromSpan<float>(padded, 1, padded.Length).to(dtype);
            var knobs = TensorExtensions.FromSpan<float>(Normalize(knobValues), 1, Knobs.Count).to(dtype);
            return call(audio, knobs).reshape(-1).to(float64).ToArray<double>();
        }
        finally
        {
            train(wasTraining);
        }
    }

    /// <summary>
    /// Every tensor in file order: per array the rechannel, then per layer conv (weight, bias), input mixin, 1x1
    /// (weight, bias), FiLM (weight, bias), then the head rechannel (weight, bias if any); head_scale follows them.
    /// </summary>
    public IEnumerable<(Tensor Tensor, string Name)> WeightTensors()
    {
        for (var j = 0; j < Arrays.Count; j++)
        {
            var a = Arrays[j];
            yield return (a.Rechannel.weight!, $"layers[{j}].rechannel.weight");
            for (var l = 0; l < a.Layers.Count; l++)
            {
                var layer = a.Layers[l];
                var at = $"layers[{j}].layer[{l}]";
                yield return (layer.Conv.weight!, $"{at}.conv.weight");
                yield return (layer.Conv.bias!, $"{at}.conv.bias");
                yield return (layer.InputMixer.weight!, $"{at}.input_mixin.weight");
                yield return (layer.OneByOne.weight!, $"{at}.layer1x1.weight");
                yield return (layer.OneByOne.bias!, $"{at}.layer1x1.bias");
                yield return (layer.Film.weight!, $"{at}.activation_pre_film.weight");
                yield return (layer.Film.bias!, $"{at}.activation_pre_film.bias");
            }

            yield return (a.HeadRechannel.weight!, $"layers[{j}].head_rechannel.weight");
            if (a.HeadRechannel.bias is { } bias)
            {
                yield return (bias, $"layers[{j}].head_rechannel.bias");
            }
        }
    }
}
