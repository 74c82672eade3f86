using Nsmt.Amp.Keras;
using Nsmt.Neural;
using Nsmt.Neural.Engine;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nsmt.Amp.Training.Modules;

/// <summary>Which recurrent cell a <see cref="ConditionedRnn"/> uses.</summary>
public enum RnnCell
{
    Lstm,
    Gru,
}

/// <summary>
/// A knob-conditioned recurrent amp model in AIDA-X/Proteus style: the knob values, normalised to
/// [0, 1] over each knob's range (AIDA-X's PARAM1/PARAM2 range), are extra input channels beside the
/// audio at every sample, into one LSTM or GRU layer and a linear head. Windows start from a zero state
/// (RTNeural's reset) and drop the first <see cref="BurnIn"/> outputs.
/// </summary>
public sealed class ConditionedRnn : KnobModule
{
    private readonly GRU? _gru;
    private readonly LSTM? _lstm;
    private readonly Linear _head;

    public ConditionedRnn(RnnCell cell, int hiddenSize, IReadOnlyList<KnobRange> knobs, int burnIn = 0)
        : base(nameof(ConditionedRnn), knobs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(hiddenSize, 1);
        EngineGuard.Ensure(); // the CPU's float32 kernels are checked before the first model is built (issue 29)
        ArgumentOutOfRangeException.ThrowIfNegative(burnIn);
        Cell = cell;
        HiddenSize = hiddenSize;
        BurnIn = burnIn;
        var inputs = 1 + knobs.Count;
        if (cell == RnnCell.Lstm)
        {
            register_module("core", _lstm = nn.LSTM(inputs, hiddenSize, batchFirst: true));
        }
        else
        {
            register_module("core", _gru = nn.GRU(inputs, hiddenSize, batchFirst: true));
        }

        register_module("head", _head = nn.Linear(hiddenSize, 1));
    }

    public RnnCell Cell { get; }

    public int HiddenSize { get; }

    public int BurnIn { get; }

    public override int Context => BurnIn;

    /// <summary>The recurrent layer (<see cref="LSTM"/> or GRU), for export.</summary>
    public nn.Module Core => (nn.Module?)_lstm ?? _gru!;

    public Linear Head => _head;

    /// <summary>audio [B, T] and normalised knobs [B, K] (one setting per window) to outputs [B, T - BurnIn].</summary>
    public override Tensor forward(Tensor audio, Tensor knobs)
    {
        using var scope = NewDisposeScope();
        var length = audio.size(1);
        return Run(audio, knobs).narrow(1, BurnIn, length - BurnIn).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// A whole signal at one setting from a zero state, as RTNeural plays it, in the module's dtype
    /// (float64 after <c>to(float64)</c>, for a reference free of the CPU's float32 kernels).
    /// </summary>
    public override double[] Process(ReadOnlySpan<float> input, IReadOnlyList<double> knobValues)
    {
        var wasTraining = training;
        eval();
        try
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            var dtype = _head.weight.dtype;
            var audio = TensorExtensions.FromSpan(input, 1, input.Length).to(dtype).to(_head.weight.device);
            var knobs = TensorExtensions
                .FromSpan<float>(Normalize(knobValues), 1, Knobs.Count)
                .to(dtype)
                .to(_head.weight.device);
            return Run(audio, knobs).reshape(-1).to(float64).ToArray<double>();
        }
        finally
        {
            train(wasTraining);
        }
    }

    /// <summary>Every output of the window, [B, T]: the knobs repeated at each sample beside the audio.</summary>
    private Tensor Run(Tensor audio, Tensor knobs)
    {
        long batch = audio.size(0),
            length = audio.size(1);
        var x = cat([audio.unsqueeze(2), knobs.unsqueeze(1).expand(batch, length, Knobs.Count)], 2);
        var features = _lstm is not null ? _lstm.forward(x).Item1 : _gru!.forward(x).Item1;
        return _head.call(features).squeeze(2);
    }
}
