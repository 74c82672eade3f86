using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Nsmt.Spectral.Data.Generation;

/// <summary>
/// Magnitudes of a few consecutive DFT bins of short real frames, as one small matrix product.
/// The windowed frame x is first folded around n = N/2 (cos(θ(N-n)) = cos(θn), sin(θ(N-n)) =
/// -sin(θn)), which halves the work: re = Σ (x[n] + x[N-n]) cos(θn), im = Σ (x[n] - x[N-n]) sin(θn)
/// for n in [0, N/2]. Two frames at a time are multiplied by the basis (N/2+1 rows x [cos | sin]
/// columns) with register-blocked accumulators, so each basis row is loaded once per frame pair.
/// For our images (32 bins of an 80-point frame) this is several times faster than an FFT or one
/// dot product per (frame, bin). Summation is a fixed-order fused multiply-add over n, so results
/// do not depend on the thread, the array alignment or the machine. Not thread-safe (scratch buffers).
/// </summary>
internal sealed class KeptBinsDft
{
    private const int BlockVectors = 4; // accumulators per frame in the register-blocked kernel

    private readonly int _nFft;
    private readonly int _rows; // N/2 + 1 folded samples
    private readonly int _binCount;
    private readonly int _sinOffset; // first sin column, a multiple of a block: a block is all cos or all sin
    private readonly int _stride; // columns per basis row
    private readonly double[] _window;
    private readonly double[] _basis; // [n * _stride + column]
    private readonly double[] _products; // two frames of columns
    private readonly double[] _padded; // a frame that runs past the end of the audio
    private readonly double[] _folded; // [frame a sums | frame a diffs | frame b sums | frame b diffs], _rows each

    public KeptBinsDft(int nFft, int firstBin, int binCount, ReadOnlySpan<double> window)
    {
        _nFft = nFft;
        _rows = (nFft / 2) + 1;
        _binCount = binCount;
        _window = window.ToArray();
        _sinOffset = RoundUp(binCount, BlockVectors * Vector<double>.Count);
        _stride = 2 * _sinOffset;
        _basis = new double[_rows * _stride];
        for (var n = 0; n < _rows; n++)
        {
            for (var k = 0; k < binCount; k++)
            {
                // (bin*n) mod N keeps the angle exact for large products.
                var angle = 2.0 * Math.PI * ((long)(firstBin + k) * n % nFft) / nFft;
                _basis[(n * _stride) + k] = Math.Cos(angle);
                _basis[(n * _stride) + _sinOffset + k] = Math.Sin(angle);
            }
        }

        _products = new double[2 * _stride];
        _padded = new double[nFft];
        _folded = new double[4 * _rows];
    }

    /// <summary>
    /// Writes |X_t[firstBin + k]| * scale to magnitude[k * frames + t] for frames t starting at
    /// t * hop; frames past the end of <paramref name="audio"/> are zero-padded.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot: skip tier-0 code, which is many times slower
    public void Magnitudes(ReadOnlySpan<double> audio, int frames, int hop, double scale, Span<double> magnitude)
    {
        var first = _folded.AsSpan(0, 2 * _rows);
        var second = _folded.AsSpan(2 * _rows, 2 * _rows);
        for (var t = 0; t < frames; t += 2)
        {
            Fold(audio, t * hop, first);
            var pair = t + 1 < frames;
            if (pair)
            {
                Fold(audio, (t + 1) * hop, second);
            }

            Multiply(first, pair ? second : first);
            Store(0, t, frames, scale, magnitude);
            if (pair)
            {
                Store(_stride, t + 1, frames, scale, magnitude);
            }
        }
    }

    /// <summary>Windows the frame at <paramref name="start"/> and writes its folded sums then differences.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Fold(ReadOnlySpan<double> audio, int start, Span<double> folded)
    {
        ReadOnlySpan<double> x;
        if (start + _nFft <= audio.Length)
        {
            x = audio.Slice(start, _nFft);
        }
        else
        {
            Array.Clear(_padded);
            if (start < audio.Length)
            {
                audio[start..].CopyTo(_padded);
            }

            x = _padded;
        }

        var sums = folded[.._rows];
        var diffs = folded[_rows..];
        ReadOnlySpan<double> w = _window.AsSpan(0, _nFft);
        x = x[.._nFft];
        sums[0] = x[0] * w[0];
        diffs[0] = 0;
        for (var n = 1; n < _rows; n++)
        {
            var m = _nFft - n;
            var a = x[n] * w[n];
            if (m == n)
            {
                sums[n] = a;
                diffs[n] = 0;
            }
            else
            {
                var b = x[m] * w[m];
                sums[n] = a + b;
                diffs[n] = a - b;
            }
        }
    }

    /// <summary>magnitude[k * frames + t] = sqrt(re² + im²) * scale, four bins per vector (same IEEE operations as scalar).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Store(int offset, int t, int frames, double scale, Span<double> magnitude)
    {
        ReadOnlySpan<Vector<double>> re = MemoryMarshal.Cast<double, Vector<double>>(
            _products.AsSpan(offset, _sinOffset)
        );
        ReadOnlySpan<Vector<double>> im = MemoryMarshal.Cast<double, Vector<double>>(
            _products.AsSpan(offset + _sinOffset, _sinOffset)
        );
        var factor = new Vector<double>(scale);
        var lanes = Vector<double>.Count;
        for (int v = 0, k = 0; k < _binCount; v++)
        {
            var m = Vector.SquareRoot((re[v] * re[v]) + (im[v] * im[v])) * factor;
            for (var j = 0; j < lanes && k < _binCount; j++, k++)
            {
                magnitude[(k * frames) + t] = m[j];
            }
        }
    }

    /// <summary>
    /// _products[0..stride) = frame a times the basis, _products[stride..2*stride) = frame b times
    /// the basis; cos columns take the folded sums, sin columns the folded differences.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Multiply(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        // Raw refs: the hot loop would otherwise pay a bounds check per basis load.
        ref var basis = ref Unsafe.As<double, Vector<double>>(ref MemoryMarshal.GetArrayDataReference(_basis));
        ref var products = ref Unsafe.As<double, Vector<double>>(ref MemoryMarshal.GetArrayDataReference(_products));
        var rowVectors = _stride / Vector<double>.Count;
        var sinVectors = _sinOffset / Vector<double>.Count;
        for (var block = 0; block < rowVectors; block += BlockVectors)
        {
            var section = block < sinVectors ? 0 : _rows; // sums for cos blocks, differences for sin blocks
            ref var aRef = ref Unsafe.Add(ref MemoryMarshal.GetReference(a), section);
            ref var bRef = ref Unsafe.Add(ref MemoryMarshal.GetReference(b), section);
            Vector<double> a0 = Vector<double>.Zero,
                a1 = a0,
                a2 = a0,
                a3 = a0;
            Vector<double> b0 = a0,
                b1 = a0,
                b2 = a0,
                b3 = a0;
            ref var row = ref Unsafe.Add(ref basis, block);
            for (var n = 0; n < _rows; n++)
            {
                var xa = new Vector<double>(Unsafe.Add(ref aRef, n));
                var xb = new Vector<double>(Unsafe.Add(ref bRef, n));
                Vector<double> m0 = row,
                    m1 = Unsafe.Add(ref row, 1),
                    m2 = Unsafe.Add(ref row, 2),
                    m3 = Unsafe.Add(ref row, 3);
                a0 = Vector.FusedMultiplyAdd(xa, m0, a0);
                a1 = Vector.FusedMultiplyAdd(xa, m1, a1);
                a2 = Vector.FusedMultiplyAdd(xa, m2, a2);
                a3 = Vector.FusedMultiplyAdd(xa, m3, a3);
                b0 = Vector.FusedMultiplyAdd(xb, m0, b0);
                b1 = Vector.FusedMultiplyAdd(xb, m1, b1);
                b2 = Vector.FusedMultiplyAdd(xb, m2, b2);
                b3 = Vector.FusedMultiplyAdd(xb, m3, b3);
                row = ref Unsafe.Add(ref row, rowVectors);
            }

            ref var pa = ref Unsafe.Add(ref products, block);
            pa = a0;
            Unsafe.Add(ref pa, 1) = a1;
            Unsafe.Add(ref pa, 2) = a2;
            Unsafe.Add(ref pa, 3) = a3;
            ref var pb = ref Unsafe.Add(ref products, rowVectors + block);
            pb = b0;
            Unsafe.Add(ref pb, 1) = b1;
            Unsafe.Add(ref pb, 2) = b2;
            Unsafe.Add(ref pb, 3) = b3;
        }
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;
}
