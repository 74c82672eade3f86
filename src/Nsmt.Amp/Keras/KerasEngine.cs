using System.Numerics.Tensors;
using Nsmt.Amp.Engine;

namespace Nsmt.Amp.Keras;

/// <summary>
/// Streaming player of an RTNeural/AIDA-X "keras" model, sample by sample as RTNeural runs it (state
/// starts at zero on <see cref="Reset"/>), with AIDA-X's input gain, input skip and output gain.
/// Knob inputs change without zipper noise or clicks: a new value set by <see cref="SetKnobs"/> is reached by
/// a linear ramp that starts with the next processed block and lasts that block or <see cref="RampSamples"/>,
/// whichever is longer (AIDA-X smooths its PARAM controls too: a step of a hard-driving knob within one short
/// block would still be a click). Allocates nothing per block.
/// </summary>
public sealed class KerasEngine : INamEngine
{
    private readonly IStep[] _layers;
    private readonly float[][] _activations;
    private readonly KnobRamp _knobs;
    private readonly float _inputGain;
    private readonly float _outputGain;
    private readonly bool _inputSkip;

    /// <param name="prewarmSamples">Samples of silence run after each reset (AIDA-X runs 2048 when it loads a model).</param>
    /// <param name="rampSamples">Shortest knob ramp, samples (default: <see cref="RampSeconds"/> at the model's rate, or at 48 kHz when it has none).</param>
    public KerasEngine(KerasModel model, int prewarmSamples = 0, int? rampSamples = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegative(prewarmSamples);
        if (model.OutputSize != 1)
        {
            throw new ArgumentException($"an amp model has one output; this one has {model.OutputSize}", nameof(model));
        }

        Model = model;
        PrewarmSamples = prewarmSamples;
        RampSamples = rampSamples ?? (int)Math.Round(RampSeconds * (model.SampleRate ?? 48_000));
        ArgumentOutOfRangeException.ThrowIfNegative(RampSamples);
        _layers = model.Layers.Select(CreateStep).ToArray();
        _activations = [new float[model.InputSize], .. model.Layers.Select(l => new float[l.OutputSize])];
        _knobs = new KnobRamp(model.KnobCount);
        _inputGain = (float)Math.Pow(10, model.InputGainDb / 20);
        _outputGain = (float)Math.Pow(10, model.OutputGainDb / 20);
        _inputSkip = model.InputSkip;
        Reset();
    }

    /// <summary>Default shortest knob ramp: 50 ms (AIDA-X smooths its PARAMs with a 0.1 s time constant).</summary>
    public const double RampSeconds = 0.05;

    public KerasModel Model { get; }

    public double? SampleRate => Model.SampleRate;

    /// <summary>Activations are computed exactly (RTNeural's default maths).</summary>
    public TanhMode TanhMode => TanhMode.Exact;

    public int PrewarmSamples { get; }

    /// <summary>The shortest knob ramp, in samples.</summary>
    public int RampSamples { get; }

    /// <summary>The knob values the network sees now (the model's own input units: AIDA-X's 0..1).</summary>
    public ReadOnlySpan<float> Knobs => _knobs.Values;

    /// <summary>Zero state, as RTNeural's reset, then the prewarm on silence at the current knob values.</summary>
    public void Reset()
    {
        foreach (var layer in _layers)
        {
            layer.Reset();
        }

        for (var i = 0; i < PrewarmSamples; i++)
        {
            Step(0f);
        }
    }

    /// <summary>
    /// New knob values (network inputs); from the next <see cref="Process"/> call on they are approached
    /// linearly over that block or <see cref="RampSamples"/>, whichever is longer, so a change is never a step.
    /// </summary>
    public void SetKnobs(ReadOnlySpan<float> values) => SetKnobs(values, RampSamples);

    /// <summary>As <see cref="SetKnobs(ReadOnlySpan{float})"/> with a ramp of at least <paramref name="rampSamples"/> (0: exactly the next block).</summary>
    public void SetKnobs(ReadOnlySpan<float> values, int rampSamples) => _knobs.SetTarget(values, rampSamples);

    /// <summary>Sets the knobs at once, without a ramp: before playing starts, or for a reset.</summary>
    public void SetKnobsImmediately(ReadOnlySpan<float> values) => _knobs.SetImmediately(values);

    public void Process(ReadOnlySpan<float> input, Span<float> output)
    {
        if (output.Length < input.Length)
        {
            throw new ArgumentException("output is shorter than input", nameof(output));
        }

        var n = input.Length;
        _knobs.BeginBlock(n);
        for (var i = 0; i < n; i++)
        {
            _knobs.Advance();
            output[i] = Step(input[i]);
        }
    }

    private float Step(float x)
    {
        var scaled = x * _inputGain;
        var first = _activations[0];
        first[0] = scaled;
        _knobs.Values.CopyTo(first.AsSpan(1));
        for (var l = 0; l < _layers.Length; l++)
        {
            _layers[l].Forward(_activations[l], _activations[l + 1]);
        }

        var y = _activations[^1][0];
        return (_inputSkip ? scaled + y : y) * _outputGain;
    }

    private static IStep CreateStep(KerasLayer layer) =>
        layer switch
        {
            KerasDense dense => new DenseStep(dense),
            KerasLstm lstm => new LstmStep(lstm),
            KerasGru gru => new GruStep(gru),
            _ => throw new ArgumentException($"no step for layer {layer.TypeName}", nameof(layer)),
        };

    private static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));

    private interface IStep
    {
        void Reset();

        void Forward(ReadOnlySpan<float> input, Span<float> output);
    }

    private sealed class DenseStep(KerasDense layer) : IStep
    {
        private readonly float[] _rows = KerasModel.Transpose(layer.Kernel, layer.InputSize, layer.OutputSize);

        public void Reset() { }

        public void Forward(ReadOnlySpan<float> input, Span<float> output)
        {
            var inputs = layer.InputSize;
            for (var o = 0; o < layer.OutputSize; o++)
            {
                output[o] = TensorPrimitives.Dot(_rows.AsSpan(o * inputs, inputs), input) + layer.Bias[o];
            }

            switch (layer.Activation)
            {
                case KerasActivation.Tanh:
                    TensorPrimitives.Tanh(output, output);
                    break;
                case KerasActivation.Sigmoid:
                    TensorPrimitives.Sigmoid(output, output);
                    break;
                case KerasActivation.Relu:
                    TensorPrimitives.Max(output, 0f, output);
                    break;
                case KerasActivation.Elu:
                    for (var i = 0; i < output.Length; i++)
                    {
                        output[i] = output[i] > 0 ? output[i] : MathF.Exp(output[i]) - 1;
                    }

                    break;
                case KerasActivation.Softmax:
                    TensorPrimitives.SoftMax(output, output);
                    break;
            }
        }
    }

    /// <summary>Keras LSTM: gates i, f, c, o = W x + U h + b; c = f c + i tanh(c~); h = o tanh(c).</summary>
    private sealed class LstmStep(KerasLstm layer) : IStep
    {
        private readonly float[] _w = KerasModel.Transpose(layer.Kernel, layer.InputSize, 4 * layer.OutputSize);
        private readonly float[] _u = KerasModel.Transpose(layer.Recurrent, layer.OutputSize, 4 * layer.OutputSize);
        private readonly float[] _h = new float[layer.OutputSize];
        private readonly float[] _c = new float[layer.OutputSize];
        private readonly float[] _z = new float[4 * layer.OutputSize];

        public void Reset()
        {
            Array.Clear(_h);
            Array.Clear(_c);
        }

        public void Forward(ReadOnlySpan<float> input, Span<float> output)
        {
            var inputs = layer.InputSize;
            var hidden = layer.OutputSize;
            for (var r = 0; r < 4 * hidden; r++)
            {
                _z[r] =
                    TensorPrimitives.Dot(_w.AsSpan(r * inputs, inputs), input)
                    + TensorPrimitives.Dot(_u.AsSpan(r * hidden, hidden), _h)
                    + layer.Bias[r];
            }

            for (var j = 0; j < hidden; j++)
            {
                var i = Sigmoid(_z[j]);
                var f = Sigmoid(_z[hidden + j]);
                var g = MathF.Tanh(_z[(2 * hidden) + j]);
                var o = Sigmoid(_z[(3 * hidden) + j]);
                _c[j] = (f * _c[j]) + (i * g);
                _h[j] = o * MathF.Tanh(_c[j]);
            }

            _h.CopyTo(output);
        }
    }

    /// <summary>
    /// Keras GRU (reset_after): z, r = sigmoid(W x + b0 + U h + b1); c = tanh(W x + b0 + r (U h + b1));
    /// h = (1 - z) c + z h.
    /// </summary>
    private sealed class GruStep(KerasGru layer) : IStep
    {
        private readonly float[] _w = KerasModel.Transpose(layer.Kernel, layer.InputSize, 3 * layer.OutputSize);
        private readonly float[] _u = KerasModel.Transpose(layer.Recurrent, layer.OutputSize, 3 * layer.OutputSize);
        private readonly float[] _h = new float[layer.OutputSize];
        private readonly float[] _wx = new float[3 * layer.OutputSize];
        private readonly float[] _uh = new float[3 * layer.OutputSize];

        public void Reset() => Array.Clear(_h);

        public void Forward(ReadOnlySpan<float> input, Span<float> output)
        {
            var inputs = layer.InputSize;
            var hidden = layer.OutputSize;
            var gates = 3 * hidden;
            for (var r = 0; r < gates; r++)
            {
                _wx[r] = TensorPrimitives.Dot(_w.AsSpan(r * inputs, inputs), input) + layer.Bias[r];
                _uh[r] = TensorPrimitives.Dot(_u.AsSpan(r * hidden, hidden), _h) + layer.Bias[gates + r];
            }

            for (var j = 0; j < hidden; j++)
            {
                var z = Sigmoid(_wx[j] + _uh[j]);
                var r = Sigmoid(_wx[hidden + j] + _uh[hidden + j]);
                var c = MathF.Tanh(_wx[(2 * hidden) + j] + (r * _uh[(2 * hidden) + j]));
                _h[j] = ((1 - z) * c) + (z * _h[j]);
            }

            _h.CopyTo(output);
        }
    }
}
