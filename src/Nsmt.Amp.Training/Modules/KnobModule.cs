using Nsmt.Amp.Keras;
using static TorchSharp.torch;

namespace Nsmt.Amp.Training.Modules;

/// <summary>
/// A knob-conditioned amp model (<see cref="ConditionedRnn"/>, <see cref="KnobWaveNet"/>): audio [B, T] and the
/// normalised knob values of each window [B, K] to outputs [B, T - <see cref="Context"/>], output j belonging to
/// input sample j + Context, so training windows carry Context samples of real input before the first target.
/// </summary>
public abstract class KnobModule : nn.Module<Tensor, Tensor, Tensor>
{
    protected KnobModule(string name, IReadOnlyList<KnobRange> knobs)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(knobs);
        Knobs = knobs;
    }

    public IReadOnlyList<KnobRange> Knobs { get; }

    /// <summary>Input samples before an output's own sample that it needs (LSTM: burn-in; WaveNet: receptive field - 1).</summary>
    public abstract int Context { get; }

    /// <summary>Knob values in their own units (e.g. gain_db 9) to the network's [0, 1] inputs.</summary>
    public float[] Normalize(IReadOnlyList<double> values)
    {
        if (values.Count != Knobs.Count)
        {
            throw new ArgumentException(
                $"the model takes {Knobs.Count} knob value(s), got {values.Count}",
                nameof(values)
            );
        }

        return Knobs.Select((knob, i) => (float)knob.Normalize(values[i])).ToArray();
    }

    /// <summary>
    /// A whole signal at one setting as a freshly reset player runs it (zero state, silence before the start), one
    /// output per input sample, in the module's dtype (float64 after <c>to(float64)</c>).
    /// </summary>
    public abstract double[] Process(ReadOnlySpan<float> input, IReadOnlyList<double> knobValues);
}
