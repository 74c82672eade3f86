using Nsmt.Amp.Architectures;
using Nsmt.Neural;
using Nsmt.Neural.Engine;
using Nsmt.Neural.Kernels;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nsmt.Amp.Training.Modules;

/// <summary>
/// One layer of an A1 layer array (nam-format.md): z = conv(h) + mixin(c); a = act(z) (gated:
/// tanh(z[:C]) * sigmoid(z[C:])); h = h + 1x1(a); the head accumulator takes a. The condition c is the raw input
/// (A1: <see cref="WaveNetLayerArrayConfig.ConditionSize"/> 1) or the audio and the knobs of a
/// <see cref="KnobWaveNet"/> (1 + K rows), which also turns on FiLM before the activation (NAM 0.6's
/// <c>activation_pre_film</c> with shift): z = scale(c) * z + shift(c), scale and shift one 1x1 conv of c.
/// </summary>
public sealed class NamWaveNetLayer : nn.Module
{
    public NamWaveNetLayer(WaveNetLayerArrayConfig array, int dilation, bool film = false)
        : base(nameof(NamWaveNetLayer))
    {
        Channels = array.Channels;
        Gated = array.Gated;
        Dilation = dilation;
        var m = array.ConvOutputChannels;
        // Registered (and so initialised) in NAM's order; the FiLM block, absent from A1, comes last.
        register_module("conv", Conv = nn.Conv1d(array.Channels, m, array.KernelSize, dilation: dilation));
        register_module("input_mixer", InputMixer = nn.Conv1d(array.ConditionSize, m, 1, bias: false));
        register_module("1x1", OneByOne = nn.Conv1d(array.Channels, array.Channels, 1));
        if (film)
        {
            register_module("film", Film = nn.Conv1d(array.ConditionSize, 2 * m, 1));
            using (no_grad())
            {
                // FiLM starts as the identity (scale 1, shift 0): the untrained layer is A1's, and training grows
                // the condition's multiplicative effect from there.
                Film.weight!.zero_();
                Film.bias!.zero_();
                Film.bias!.narrow(0, 0, m).fill_(1.0);
            }
        }
    }

    public Conv1d Conv { get; }

    public Conv1d InputMixer { get; }

    public Conv1d OneByOne { get; }

    /// <summary>Condition to [scale rows; shift rows] of z (NAM's FiLM layout); null in A1.</summary>
    public Conv1d? Film { get; }

    public int Channels { get; }

    public bool Gated { get; }

    public int Dilation { get; }

    /// <summary>Samples this layer's conv looks back: (K-1)*d.</summary>
    public int History => (int)((Conv.kernel_size[0] - 1) * Dilation);

    /// <summary>
    /// One layer over right-aligned signals: <paramref name="h"/> [B, C, L], <paramref name="condition"/>
    /// [B, ConditionSize, >= L]. Returns the activation [B, C, L - History] and, unless <paramref name="residual"/>
    /// is false, the next residual stream of the same length.
    /// </summary>
    public (Tensor activation, Tensor? next) Run(
        Tensor h,
        Tensor condition,
        bool residual,
        LayerFormulation formulation
    )
    {
        var length = h.size(2) - History;
        Tensor z;
        // Observers (diagrams, forward hooks) see NAM's formulation: same result, one call per module.
        if (formulation.FuseMixer && !Conv.HasForwardHooks && !InputMixer.HasForwardHooks)
        {
            // The mixin rides along as one more input channel of the dilated conv, weighted only at
            // the last tap (the output's own sample): one convolution instead of two plus an add.
            // A training step is about 10% faster than NAM's formulation (bench/amp-train/RESULTS.md).
            var k = Conv.kernel_size[0];
            var weight = torch.cat([Conv.weight, nn.functional.pad(InputMixer.weight, [k - 1, 0])], 1);
            var input = torch.cat([h, condition.narrow(2, condition.size(2) - h.size(2), h.size(2))], 1);
            z = SimdConv1d.Conv1d(input, weight, Conv.bias, Dilation, formulation.SimdConv);
        }
        else
        {
            // NAM's formulation, except that only the aligned tail of the condition is mixed in.
            z = SimdConv1d.Call(Conv, h, formulation.SimdConv);
            z.add_(InputMixer.call(condition.narrow(2, condition.size(2) - length, length)));
        }

        if (Film is not null)
        {
            var film = Film.call(condition.narrow(2, condition.size(2) - length, length));
            var rows = z.size(1);
            z = (z * film.narrow(1, 0, rows)) + film.narrow(1, rows, rows);
        }

        var a = Gated ? z.narrow(1, 0, Channels).tanh() * z.narrow(1, Channels, Channels).sigmoid() : z.tanh_();
        var next = residual ? h.narrow(2, h.size(2) - length, length) + OneByOne.call(a) : null;
        return (a, next);
    }
}

/// <summary>
/// How an A1 layer computes (the same function either way): the input mixin fused into the dilated conv as an extra input
/// channel or separate, and the dilated conv by <see cref="SimdConv1d"/> (where it serves) or by libtorch.
/// </summary>
public readonly record struct LayerFormulation(bool FuseMixer, bool SimdConv)
{
    /// <summary>Each choice as requested, or where null as the engine resolves it.</summary>
    public static LayerFormulation Resolve(bool? fuseMixer, bool? simdConv) =>
        new(FusedMixer.Resolve(fuseMixer), KernelChoice.Convolutions(simdConv));
}

/// <summary>The input-mixin formulation an A1 layer runs when its model leaves the choice to the engine.</summary>
public static class FusedMixer
{
    /// <summary>
    /// <paramref name="requested"/> where set; otherwise fused exactly when oneDNN computes the convolutions: with
    /// oneDNN the fused conv trained about 5 % faster, without it (AMD Zen 5, where oneDNN is switched off) the separate
    /// 1x1 mixin took less CPU time (bench/amp-train/RESULTS.md).
    /// </summary>
    public static bool Resolve(bool? requested) => requested ?? EngineGuard.OneDnnActive;
}

/// <summary>
/// One A1 layer array: rechannel, layers, head rechannel (registered in NAM's order); with <paramref name="film"/>,
/// every layer has a FiLM block (a <see cref="KnobWaveNet"/>'s array).
/// </summary>
public sealed class NamWaveNetLayerArray : nn.Module
{
    public NamWaveNetLayerArray(WaveNetLayerArrayConfig config, bool film = false)
        : base(nameof(NamWaveNetLayerArray))
    {
        Config = config;
        register_module("rechannel", Rechannel = nn.Conv1d(config.InputSize, config.Channels, 1, bias: false));
        // TorchSharp registers a ModuleList's items when the list is registered: fill it first.
        register_module(
            "layers",
            Layers = new ModuleList<NamWaveNetLayer>([
                .. config.Dilations.Select(d => new NamWaveNetLayer(config, d, film)),
            ])
        );

        register_module(
            "head_rechannel",
            HeadRechannel = nn.Conv1d(config.Channels, config.HeadSize, 1, bias: config.HeadBias)
        );
    }

    public WaveNetLayerArrayConfig Config { get; }

    public Conv1d Rechannel { get; }

    public ModuleList<NamWaveNetLayer> Layers { get; }

    public Conv1d HeadRechannel { get; }

    /// <summary>
    /// Runs the array on <paramref name="input"/> [B, in, L] with its condition (right-aligned); the head
    /// accumulator starts at <paramref name="headIn"/> (null = zeros) and is kept only over the last
    /// <paramref name="outLength"/> samples. Returns (head output [B, H, outLength], residual stream).
    /// </summary>
    public (Tensor head, Tensor? residual) Run(
        Tensor input,
        Tensor condition,
        Tensor? headIn,
        long outLength,
        bool needResidual,
        LayerFormulation formulation
    )
    {
        var h = Rechannel.call(input);
        var s = headIn;
        for (var l = 0; l < Layers.Count; l++)
        {
            var last = l == Layers.Count - 1;
            var (a, next) = Layers[l].Run(h, condition, residual: !last || needResidual, formulation);
            var tail = a.narrow(2, a.size(2) - outLength, outLength);
            s = s is null ? tail : s + tail;
            if (next is not null)
            {
                h = next;
            }
        }

        return (HeadRechannel.call(s!), needResidual ? h : null);
    }

    /// <summary>
    /// The array's tensors in .nam order (weights [out][in][k] row-major), named under <paramref name="prefix"/>:
    /// rechannel, per layer conv (weight, bias), input mixin, 1x1 (weight, bias) and FiLM (weight, bias) where there
    /// is one, then the head rechannel (weight, bias if any).
    /// </summary>
    public IEnumerable<(Tensor Tensor, string Name)> WeightTensors(string prefix)
    {
        yield return (Rechannel.weight!, $"{prefix}.rechannel.weight");
        for (var l = 0; l < Layers.Count; l++)
        {
            var layer = Layers[l];
            var p = $"{prefix}.layers.{l}";
            yield return (layer.Conv.weight!, $"{p}.conv.weight");
            yield return (layer.Conv.bias!, $"{p}.conv.bias");
            yield return (layer.InputMixer.weight!, $"{p}.input_mixer.weight");
            yield return (layer.OneByOne.weight!, $"{p}.1x1.weight");
            yield return (layer.OneByOne.bias!, $"{p}.1x1.bias");
            if (layer.Film is { } film)
            {
                yield return (film.weight!, $"{p}.film.weight");
                yield return (film.bias!, $"{p}.film.bias");
            }
        }

        yield return (HeadRechannel.weight!, $"{prefix}.head_rechannel.weight");
        if (HeadRechannel.bias is { } bias)
        {
            yield return (bias, $"{prefix}.head_rechannel.bias");
        }
    }

    /// <summary>Every array's <see cref="WeightTensors(string)"/>, in order, named <c>layer_arrays.j.…</c>.</summary>
    public static IEnumerable<(Tensor Tensor, string Name)> WeightTensors(ModuleList<NamWaveNetLayerArray> arrays) =>
        arrays.SelectMany((array, j) => array.WeightTensors($"layer_arrays.{j}"));

    /// <summary>
    /// A1's chain of arrays on <paramref name="audio"/> [B, 1, L]: each array's residual stream feeds the next and
    /// the head accumulator runs through them all. Returns the last head [B, H, L - receptive field + 1].
    /// </summary>
    public static Tensor RunChain(
        ModuleList<NamWaveNetLayerArray> arrays,
        Tensor audio,
        Tensor condition,
        int receptiveField,
        LayerFormulation formulation
    )
    {
        var outLength = audio.size(2) - receptiveField + 1;
        if (outLength < 1)
        {
            throw new ArgumentException(
                $"input of {audio.size(2)} samples is shorter than the receptive field ({receptiveField})"
            );
        }

        var input = audio;
        Tensor? head = null;
        for (var j = 0; j < arrays.Count; j++)
        {
            var last = j == arrays.Count - 1;
            var (h, residual) = arrays[j].Run(input, condition, head, outLength, needResidual: !last, formulation);
            head = h;
            if (residual is not null)
            {
                input = residual;
            }
        }

        return head!;
    }
}

/// <summary>
/// NAM's "A1" WaveNet (nam-format.md) as a torch module: any layer arrays, gated or not, condition =
/// raw input, head accumulator chained through the arrays, output = head_scale * last head. The head
/// scale is a constant, as in NAM's trainer (it is not trained; it is exported as the last weight).
/// </summary>
public sealed class NamWaveNet : AmpModule, IHeadScaled
{
    public NamWaveNet(WaveNetConfig config)
        : base(nameof(NamWaveNet))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        HeadScale = config.HeadScale;
        register_module(
            "layer_arrays",
            Arrays = new ModuleList<NamWaveNetLayerArray>([
                .. config.LayerArrays.Select(a => new NamWaveNetLayerArray(a)),
            ])
        );
    }

    public WaveNetConfig Config { get; }

    public ModuleList<NamWaveNetLayerArray> Arrays { get; }

    /// <summary>The config's head_scale, until a target normalisation is compensated (the export writes this one).</summary>
    public float HeadScale { get; set; }

    /// <summary>
    /// Whether each layer's input mixin is computed inside its dilated conv (an extra input channel) rather than as a
    /// separate 1x1 conv: the same function, parameters unchanged. Null (the default) picks the faster one for the
    /// engine: fused where oneDNN computes the convolutions, separate where it is off (libtorch's own im2col
    /// convolution pays more for the 17th channel than the 1x1 conv costs; bench/amp-train/RESULTS.md).
    /// </summary>
    public bool? FuseInputMixer { get; set; }

    /// <summary>The formulation <see cref="FuseInputMixer"/> resolves to on this engine now.</summary>
    public bool FusesInputMixer => FusedMixer.Resolve(FuseInputMixer);

    /// <summary>
    /// Whether the dilated convs run on <see cref="SimdConv1d"/> (CPU float32) rather than libtorch: the same function.
    /// Null (the default): <see cref="KernelChoice.Convolutions"/>, i.e. where oneDNN is off (on CPUs with 256/512-bit
    /// vectors), where libtorch's own conv is 3-6x slower (bench/amp-train/RESULTS.md).
    /// </summary>
    public bool? SimdConvolution { get; set; }

    public int ReceptiveField => Config.ReceptiveField;

    public override int Context => ReceptiveField - 1;

    public override bool IsNamExportable => true;

    public override long WeightCount => Config.ParameterCount;

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var audio = x.unsqueeze(1);
        var head = NamWaveNetLayerArray.RunChain(
            Arrays,
            audio,
            audio,
            ReceptiveField,
            LayerFormulation.Resolve(FuseInputMixer, SimdConvolution)
        );
        return (head.squeeze(1) * HeadScale).MoveToOuterDisposeScope();
    }

    public override float[] Process(ReadOnlySpan<float> input, int chunkSize = DefaultChunkSize) =>
        ProcessConvolutional(input, chunkSize);
}
