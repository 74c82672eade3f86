using System.Runtime.Intrinsics;
using Nsmt.Amp.Architectures;

namespace Nsmt.Amp.Engine;

/// <summary>
/// Streaming NAM LSTM (nam-format.md): per sample and layer z = W[v; h] + b, gates i, f, o =
/// sigmoid, g = tanh, c = f*c + i*g, h = o*tanh(c); output = headW.h + headb. Each gate block is
/// padded to a multiple of 8 so the mat-vec and the cell update run on whole vectors; padded
/// units have zero weights and stay exactly zero.
/// </summary>
public sealed unsafe class LstmEngine : INamEngine
{
    private const int Lane = 8;

    private readonly Layer[] _layers;
    private readonly PinnedBuffer<float> _headWeight;
    private readonly float _headBias;
    private readonly int _prewarmSamples;

    public LstmEngine(NamModel model, TanhMode tanhMode = TanhMode.Exact)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Config is not LstmConfig config)
        {
            throw new ArgumentException($"expected an LSTM model, got {model.Architecture}", nameof(model));
        }

        SampleRate = model.SampleRate;
        TanhMode = tanhMode;
        var hidden = config.HiddenSize;
        var padded = (hidden + Lane - 1) / Lane * Lane;
        var cursor = new WeightCursor(model.Weights);
        _layers = new Layer[config.NumLayers];
        for (var l = 0; l < _layers.Length; l++)
        {
            _layers[l] = new Layer(l == 0 ? config.InputSize : hidden, hidden, padded, cursor);
        }

        _headWeight = new PinnedBuffer<float>(padded);
        cursor.Take(hidden).CopyTo(_headWeight.Span);
        _headBias = cursor.TakeOne();
        cursor.ExpectEnd();

        // Core: half a second of silence; a single sample when the rate is unknown.
        _prewarmSamples = model.SampleRate is { } rate ? Math.Max(1, (int)(0.5 * rate)) : 1;
        Reset();
    }

    public double? SampleRate { get; }

    public TanhMode TanhMode { get; }

    /// <summary>Samples of silence run after loading h0/c0 on reset.</summary>
    public int PrewarmSamples => _prewarmSamples;

    public void Reset()
    {
        foreach (var layer in _layers)
        {
            layer.LoadInitialState();
        }

        for (var i = 0; i < _prewarmSamples; i++)
        {
            Step(0f);
        }
    }

    public void Process(ReadOnlySpan<float> input, Span<float> output)
    {
        if (output.Length < input.Length)
        {
            throw new ArgumentException("output is shorter than input", nameof(output));
        }

        for (var i = 0; i < input.Length; i++)
        {
            output[i] = Step(input[i]);
        }
    }

    private float Step(float x)
    {
        var v = &x;
        foreach (var layer in _layers)
        {
            layer.Step(v, TanhMode);
            v = layer.Hidden;
        }

        var sum = Vector256<float>.Zero;
        var w = _headWeight.Pointer;
        for (var i = 0; i < _headWeight.Length; i += Lane)
        {
            sum = Vector256.MultiplyAddEstimate(Vector256.Load(w + i), Vector256.Load(v + i), sum);
        }

        return Vector256.Sum(sum) + _headBias;
    }

    private sealed class Layer
    {
        private readonly int _inputs;
        private readonly int _padded;
        private readonly PinnedBuffer<float> _weights;
        private readonly PinnedBuffer<float> _bias;
        private readonly PinnedBuffer<float> _h0;
        private readonly PinnedBuffer<float> _c0;
        private readonly PinnedBuffer<float> _hidden;
        private readonly PinnedBuffer<float> _cell;
        private readonly PinnedBuffer<float> _gates;

        public Layer(int inputs, int hidden, int padded, WeightCursor cursor)
        {
            _inputs = inputs;
            _padded = padded;
            var columns = inputs + hidden;
            var packedColumns = inputs + padded;

            // File: W [4H][I+H] row-major. Packed: per 8 padded gate rows, [column][8], so one
            // accumulator vector walks its rows' weights sequentially.
            var source = cursor.Take(4 * hidden * columns);
            _weights = new PinnedBuffer<float>(4 * padded * packedColumns);
            for (var r = 0; r < 4 * hidden; r++)
            {
                var pr = PaddedRow(r, hidden, padded);
                for (var c = 0; c < columns; c++)
                {
                    _weights.Span[(pr / Lane * packedColumns * Lane) + (c * Lane) + (pr % Lane)] = source[
                        (r * columns) + c
                    ];
                }
            }

            _bias = new PinnedBuffer<float>(4 * padded);
            var bias = cursor.Take(4 * hidden);
            for (var r = 0; r < 4 * hidden; r++)
            {
                _bias.Span[PaddedRow(r, hidden, padded)] = bias[r];
            }

            _h0 = new PinnedBuffer<float>(padded);
            _c0 = new PinnedBuffer<float>(padded);
            cursor.Take(hidden).CopyTo(_h0.Span);
            cursor.Take(hidden).CopyTo(_c0.Span);
            _hidden = new PinnedBuffer<float>(padded);
            _cell = new PinnedBuffer<float>(padded);
            _gates = new PinnedBuffer<float>(4 * padded);
        }

        public float* Hidden => _hidden.Pointer;

        public void LoadInitialState()
        {
            _h0.Span.CopyTo(_hidden.Span);
            _c0.Span.CopyTo(_cell.Span);
        }

        public void Step(float* input, TanhMode mode)
        {
            var columns = _inputs + _padded;
            var w = _weights.Pointer;
            var b = _bias.Pointer;
            var z = _gates.Pointer;
            var h = _hidden.Pointer;
            for (var r = 0; r < 4 * _padded; r += Lane, w += columns * Lane)
            {
                var acc = Vector256.Load(b + r);
                for (var c = 0; c < _inputs; c++)
                {
                    acc = Vector256.MultiplyAddEstimate(
                        Vector256.Create(input[c]),
                        Vector256.Load(w + (c * Lane)),
                        acc
                    );
                }

                var wh = w + (_inputs * Lane);
                for (var c = 0; c < _padded; c++)
                {
                    acc = Vector256.MultiplyAddEstimate(Vector256.Create(h[c]), Vector256.Load(wh + (c * Lane)), acc);
                }

                acc.Store(z + r);
            }

            // Gate blocks i, f, g, o (PyTorch order), each padded to _padded.
            var p = _padded;
            var gates = _gates.Span;
            Sigmoid(gates[..(2 * p)], mode);
            Tanh(gates.Slice(2 * p, p), mode);
            Sigmoid(gates.Slice(3 * p, p), mode);

            var cellState = _cell.Pointer;
            for (var i = 0; i < p; i += Lane)
            {
                var ig = Vector256.Load(z + i);
                var fg = Vector256.Load(z + p + i);
                var gg = Vector256.Load(z + (2 * p) + i);
                var cell = (fg * Vector256.Load(cellState + i)) + (ig * gg);
                cell.Store(cellState + i);
            }

            var tanhCell = gates.Slice(2 * p, p); // g is consumed: reuse its block for tanh(c)
            _cell.Span.CopyTo(tanhCell);
            Tanh(tanhCell, mode);
            for (var i = 0; i < p; i += Lane)
            {
                (Vector256.Load(z + (3 * p) + i) * Vector256.Load(z + (2 * p) + i)).Store(h + i);
            }
        }

        private static void Sigmoid(Span<float> values, TanhMode mode) => Activations.Sigmoid(values, mode);

        private static void Tanh(Span<float> values, TanhMode mode) => Activations.Tanh(values, mode);

        private static int PaddedRow(int row, int hidden, int padded) => (row / hidden * padded) + (row % hidden);
    }
}
