using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Nsmt.Amp.Architectures;

namespace Nsmt.Amp.Engine;

/// <summary>
/// One plain 3-channel WaveNet layer (A2-Lite's shape: 3 channels, bottleneck 3, no gating, FiLM or head1x1, a
/// 1-row input mixin, a leaky-ReLU family activation) computed in one pass over the chunk, vectorised over time:
/// per vector of columns the dilated conv, bias, mixin, activation, the head accumulator and layer1x1 with its
/// residual stay in registers. The generic path (<see cref="ConvKernel"/>) vectorises the same way but pads 3 rows
/// and 3 input channels to 4 (1.8x the products), runs the conv, the activation, the head sum and layer1x1 as
/// separate passes over memory, and pays a call per step. The arithmetic is the generic path's, operation for
/// operation in Core's order (per tap the channel products summed in order, taps summed in order, then bias, then
/// mixin; layer1x1 likewise, then the residual), so both paths give the same values on every CPU.
/// </summary>
internal sealed unsafe class ThreeChannelLayer
{
    private const int Channels = 3;

    // Per tap a 3x3 matrix [row][channel], then bias, mixin, slope, layer1x1 [row][channel], layer1x1 bias.
    private readonly PinnedBuffer<float> _convWeights;
    private readonly PinnedBuffer<float> _rowConstants;
    private readonly PinnedBuffer<float> _layer1x1;
    private readonly int* _tapOffsets;
    private readonly int _taps;
    private readonly int _widestLanes;

    private ThreeChannelLayer(
        ExtendedConvOp conv,
        ExtendedConvOp mixin,
        ExtendedConvOp layer1x1,
        NamActivation act,
        int widestLanes
    )
    {
        _widestLanes = widestLanes;
        _taps = conv.Module.KernelSize;
        _tapOffsets = conv.TapOffsets;
        _convWeights = new PinnedBuffer<float>(_taps * Channels * Channels);
        for (var k = 0; k < _taps; k++)
        {
            for (var r = 0; r < Channels; r++)
            {
                for (var c = 0; c < Channels; c++)
                {
                    _convWeights.Span[(((k * Channels) + r) * Channels) + c] = conv.Weight(r, c, k);
                }
            }
        }

        _rowConstants = new PinnedBuffer<float>(4 * Channels);
        _layer1x1 = new PinnedBuffer<float>(Channels * Channels);
        for (var r = 0; r < Channels; r++)
        {
            _rowConstants.Span[r] = conv.BiasOf(r);
            _rowConstants.Span[Channels + r] = mixin.MixinWeights[r];
            _rowConstants.Span[(2 * Channels) + r] = act.Kind switch
            {
                NamActivationKind.ReLU => 0f,
                NamActivationKind.LeakyReLU => act.NegativeSlope,
                _ => act.SlopeOf(r),
            };
            _rowConstants.Span[(3 * Channels) + r] = layer1x1.BiasOf(r);
            for (var c = 0; c < Channels; c++)
            {
                _layer1x1.Span[(r * Channels) + c] = layer1x1.Weight(r, c, 0);
            }
        }
    }

    /// <summary>The fused layer for this layer's shape, or null where the generic path must run it.</summary>
    /// <param name="widestLanes">Widest vector (floats) to use where the CPU has it: 16, 8 or 4 (tests pin each).</param>
    public static ThreeChannelLayer? For(
        ExtendedLayerArrayConfig config,
        GatingMode gating,
        NamActivation activation,
        bool fusedMixin,
        bool anyFilm,
        ExtendedConvOp conv,
        ExtendedConvOp mixin,
        ExtendedConvOp? layer1x1,
        bool head1x1,
        int widestLanes
    )
    {
        var plain =
            config.Channels == Channels
            && config.Bottleneck == Channels
            && gating == GatingMode.None
            && fusedMixin
            && !anyFilm
            && !head1x1
            && layer1x1 is not null
            && activation.Kind is NamActivationKind.LeakyReLU or NamActivationKind.ReLU or NamActivationKind.PReLU;
        return plain ? new ThreeChannelLayer(conv, mixin, layer1x1!, activation, widestLanes) : null;
    }

    /// <summary>
    /// Runs the layer over <paramref name="columns"/> columns (a multiple of <see cref="ConvKernel.ColumnQuantum"/>):
    /// reads h (rows at <paramref name="hStride"/>, with its history before column 0) and the condition row, adds the
    /// activations to the head accumulator and, when <paramref name="next"/> is given, writes h + layer1x1(a) there.
    /// </summary>
    public void Run(
        float* h,
        int hStride,
        float* condition,
        float* accumulator,
        int accumulatorStride,
        float* next,
        int nextStride,
        int columns
    )
    {
        var args = new Arguments
        {
            H = h,
            HStride = hStride,
            Condition = condition,
            Accumulator = accumulator,
            AccumulatorStride = accumulatorStride,
            Next = next,
            NextStride = nextStride,
            ConvWeights = _convWeights.Pointer,
            RowConstants = _rowConstants.Pointer,
            Layer1x1 = _layer1x1.Pointer,
            TapOffsets = _tapOffsets,
            Taps = _taps,
        };
        var t0 = 0;
        if (_widestLanes >= Vector512<float>.Count && Vector512.IsHardwareAccelerated)
        {
            t0 = RunColumns<Lanes512, Vector512<float>>(args, t0, columns);
        }

        if (_widestLanes >= Vector256<float>.Count && Vector256.IsHardwareAccelerated)
        {
            t0 = RunColumns<Lanes256, Vector256<float>>(args, t0, columns);
        }

        RunColumns<Lanes128, Vector128<float>>(args, t0, columns);
    }

    private struct Arguments
    {
        public float* H;
        public int HStride;
        public float* Condition;
        public float* Accumulator;
        public int AccumulatorStride;
        public float* Next;
        public int NextStride;
        public float* ConvWeights;
        public float* RowConstants;
        public float* Layer1x1;
        public int* TapOffsets;
        public int Taps;
    }

    /// <summary>Columns from <paramref name="t0"/> in whole vectors of TLanes; returns the first column left.</summary>
    private static int RunColumns<TLanes, TV>(in Arguments a, int t0, int columns)
        where TLanes : struct, ILanes<TV>
        where TV : struct
    {
        nint hs = a.HStride;
        nint acs = a.AccumulatorStride;
        nint ns = a.NextStride;
        var w = a.ConvWeights;
        var rc = a.RowConstants;
        for (; t0 + TLanes.Count <= columns; t0 += TLanes.Count)
        {
            // Tap by tap: s_r = ((w_r0 x0 + w_r1 x1) + w_r2 x2), o_r = ((s_r(0) + s_r(1)) + ...).
            var src = a.H + t0 + a.TapOffsets[0];
            TV x0 = TLanes.Load(src),
                x1 = TLanes.Load(src + hs),
                x2 = TLanes.Load(src + (2 * hs));
            var o0 = TapRow<TLanes, TV>(w, x0, x1, x2);
            var o1 = TapRow<TLanes, TV>(w + 3, x0, x1, x2);
            var o2 = TapRow<TLanes, TV>(w + 6, x0, x1, x2);
            for (var k = 1; k < a.Taps; k++)
            {
                var wk = w + (k * 9);
                src = a.H + t0 + a.TapOffsets[k];
                x0 = TLanes.Load(src);
                x1 = TLanes.Load(src + hs);
                x2 = TLanes.Load(src + (2 * hs));
                o0 = TLanes.Add(o0, TapRow<TLanes, TV>(wk, x0, x1, x2));
                o1 = TLanes.Add(o1, TapRow<TLanes, TV>(wk + 3, x0, x1, x2));
                o2 = TLanes.Add(o2, TapRow<TLanes, TV>(wk + 6, x0, x1, x2));
            }

            // z = (o + bias) + mixin * c, then the activation.
            var c = TLanes.Load(a.Condition + t0);
            var a0 = Activate<TLanes, TV>(o0, c, rc, 0);
            var a1 = Activate<TLanes, TV>(o1, c, rc, 1);
            var a2 = Activate<TLanes, TV>(o2, c, rc, 2);

            var s = a.Accumulator + t0;
            TLanes.Store(TLanes.Add(TLanes.Load(s), a0), s);
            TLanes.Store(TLanes.Add(TLanes.Load(s + acs), a1), s + acs);
            TLanes.Store(TLanes.Add(TLanes.Load(s + (2 * acs)), a2), s + (2 * acs));

            if (a.Next is null)
            {
                continue;
            }

            // next = h + ((W1 a) + b1); the last tap's input is h at these columns (its offset is 0).
            var n = a.Next + t0;
            var l1 = a.Layer1x1;
            TLanes.Store(TLanes.Add(x0, TLanes.Add(TapRow<TLanes, TV>(l1, a0, a1, a2), TLanes.Splat(rc[9]))), n);
            TLanes.Store(
                TLanes.Add(x1, TLanes.Add(TapRow<TLanes, TV>(l1 + 3, a0, a1, a2), TLanes.Splat(rc[10]))),
                n + ns
            );
            TLanes.Store(
                TLanes.Add(x2, TLanes.Add(TapRow<TLanes, TV>(l1 + 6, a0, a1, a2), TLanes.Splat(rc[11]))),
                n + (2 * ns)
            );
        }

        return t0;
    }

    /// <summary>(w0 x0 + w1 x1) + w2 x2, each product rounded (no FMA, as Core's Eigen build).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV TapRow<TLanes, TV>(float* w, TV x0, TV x1, TV x2)
        where TLanes : struct, ILanes<TV>
        where TV : struct =>
        TLanes.Add(
            TLanes.Add(TLanes.Multiply(TLanes.Splat(w[0]), x0), TLanes.Multiply(TLanes.Splat(w[1]), x1)),
            TLanes.Multiply(TLanes.Splat(w[2]), x2)
        );

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Activate<TLanes, TV>(TV products, TV condition, float* rowConstants, int row)
        where TLanes : struct, ILanes<TV>
        where TV : struct
    {
        var z = TLanes.Add(
            TLanes.Add(products, TLanes.Splat(rowConstants[row])),
            TLanes.Multiply(TLanes.Splat(rowConstants[3 + row]), condition)
        );
        return TLanes.LeakyRelu(z, TLanes.Splat(rowConstants[6 + row]));
    }
}

/// <summary>The vector operations <see cref="ThreeChannelLayer"/> needs, at one width (the JIT specialises each).</summary>
internal unsafe interface ILanes<TV>
    where TV : struct
{
    static abstract int Count { get; }

    static abstract TV Load(float* source);

    static abstract void Store(TV value, float* destination);

    static abstract TV Splat(float value);

    static abstract TV Add(TV left, TV right);

    static abstract TV Multiply(TV left, TV right);

    /// <summary>x &gt; 0 ? x : slope * x, branch-free.</summary>
    static abstract TV LeakyRelu(TV x, TV slope);
}

internal unsafe struct Lanes512 : ILanes<Vector512<float>>
{
    public static int Count => Vector512<float>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(float* source) => Vector512.Load(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<float> value, float* destination) => value.Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Splat(float value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Add(Vector512<float> left, Vector512<float> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Multiply(Vector512<float> left, Vector512<float> right) => left * right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> LeakyRelu(Vector512<float> x, Vector512<float> slope) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), x, x * slope);
}

internal unsafe struct Lanes256 : ILanes<Vector256<float>>
{
    public static int Count => Vector256<float>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(float* source) => Vector256.Load(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<float> value, float* destination) => value.Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Splat(float value) => Vector256.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Add(Vector256<float> left, Vector256<float> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Multiply(Vector256<float> left, Vector256<float> right) => left * right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> LeakyRelu(Vector256<float> x, Vector256<float> slope) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), x, x * slope);
}

internal unsafe struct Lanes128 : ILanes<Vector128<float>>
{
    public static int Count => Vector128<float>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Load(float* source) => Vector128.Load(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector128<float> value, float* destination) => value.Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Splat(float value) => Vector128.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Add(Vector128<float> left, Vector128<float> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Multiply(Vector128<float> left, Vector128<float> right) => left * right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> LeakyRelu(Vector128<float> x, Vector128<float> slope) =>
        Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128<float>.Zero), x, x * slope);
}
