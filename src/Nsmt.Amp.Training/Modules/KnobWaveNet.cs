using Nsmt.Amp.Architectures;
using Nsmt.Amp.Keras;
using Nsmt.Neural;
using Nsmt.Neural.Engine;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nsmt.Amp.Training.Modules;

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
            Arrays = new ModuleList<NamWaveNetLayerArray>([
                .. architecture.LayerArrays.Select(a => new NamWaveNetLayerArray(
                    a with
                    {
                        ConditionSize = 1 + knobs.Count,
                    },
                    film: true
                )),
            ])
        );
    }

    /// <summary>The A1 architecture the model was built from (its arrays' condition: the audio alone).</summary>
    public WaveNetConfig Architecture { get; }

    /// <summary>A1's layer arrays with a condition of 1 + knobs rows and a FiLM block in every layer.</summary>
    public ModuleList<NamWaveNetLayerArray> Arrays { get; }

    /// <summary>As <see cref="NamWaveNet.FuseInputMixer"/>: null picks the faster formulation for the engine.</summary>
    public bool? FuseInputMixer { get; set; }

    /// <summary>As <see cref="NamWaveNet.SimdConvolution"/>: null uses the SIMD conv as <see cref="Nsmt.Neural.Kernels.KernelChoice.Convolutions"/> says.</summary>
    public bool? SimdConvolution { get; set; }

    public float HeadScale => Architecture.HeadScale;

    public int ReceptiveField => Architecture.ReceptiveField;

    public override int Context => ReceptiveField - 1;

    public override Tensor forward(Tensor audio, Tensor knobs)
    {
        using var scope = NewDisposeScope();
        var x = audio.unsqueeze(1);
        var condition = cat([x, knobs.unsqueeze(2).expand(audio.size(0), Knobs.Count, audio.size(1))], 1);
        var head = NamWaveNetLayerArray.RunChain(
            Arrays,
            x,
            condition,
            ReceptiveField,
            LayerFormulation.Resolve(FuseInputMixer, SimdConvolution)
        );
        return (head.squeeze(1) * HeadScale).MoveToOuterDisposeScope();
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
    /// Every tensor in file order (<see cref="NamWaveNetLayerArray.WeightTensors(string)"/>: A1's, with each layer's
    /// FiLM weight and bias after its 1x1); head_scale follows them.
    /// </summary>
    public IEnumerable<(Tensor Tensor, string Name)> WeightTensors() => NamWaveNetLayerArray.WeightTensors(Arrays);
}
