using System.Collections.Concurrent;
using System.Numerics;

namespace Nsmt.Audio.Dsp;

/// <summary>
/// Discrete Fourier transform of any length, in double precision. Lengths whose prime factors are
/// all small use a mixed-radix Cooley-Tukey recursion; lengths with a large prime factor use
/// Bluestein's chirp-z algorithm on a power-of-two transform. Plans are immutable and thread-safe.
/// Forward: X[k] = sum_n x[n] exp(-2 pi i k n / N). Inverse is unscaled (no 1/N).
/// </summary>
public sealed class Fft
{
    // Radices above this make the O(p^2) butterfly slower than Bluestein's three power-of-two FFTs.
    private const int LargestDirectRadix = 31;

    private static readonly ConcurrentDictionary<int, Fft> Plans = new();

    private readonly int[] _factors;
    private readonly Complex[] _twiddles; // exp(-2 pi i j / N)
    private readonly Bluestein? _bluestein;

    private Fft(int length)
    {
        Length = length;
        _factors = Factorize(length);
        if (_factors.Length > 0 && _factors.Max() > LargestDirectRadix)
        {
            _bluestein = new Bluestein(length);
            _twiddles = [];
        }
        else
        {
            _twiddles = new Complex[length];
            for (var j = 0; j < length; j++)
            {
                var angle = -2.0 * Math.PI * j / length;
                _twiddles[j] = new Complex(Math.Cos(angle), Math.Sin(angle));
            }
        }
    }

    public int Length { get; }

    /// <summary>The shared plan for a transform length.</summary>
    public static Fft Get(int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        return Plans.GetOrAdd(length, static n => new Fft(n));
    }

    public void Forward(ReadOnlySpan<Complex> input, Span<Complex> output)
    {
        CheckLengths(input.Length, output.Length);
        if (_bluestein is not null)
        {
            _bluestein.Forward(input, output);
            return;
        }

        Recurse(input, 1, output, Length, 0);
    }

    /// <summary>Unscaled inverse transform: x[n] = sum_k X[k] exp(+2 pi i k n / N).</summary>
    public void Inverse(ReadOnlySpan<Complex> input, Span<Complex> output)
    {
        CheckLengths(input.Length, output.Length);
        // inverse(x) = conj(forward(conj(x)))
        var conj = new Complex[Length];
        for (var i = 0; i < Length; i++)
        {
            conj[i] = Complex.Conjugate(input[i]);
        }

        Forward(conj, output);
        for (var i = 0; i < Length; i++)
        {
            output[i] = Complex.Conjugate(output[i]);
        }
    }

    private void CheckLengths(int input, int output)
    {
        if (input != Length || output != Length)
        {
            throw new ArgumentException($"FFT of length {Length} got input {input} and output {output}");
        }
    }

    // Decimation in time: split into p interleaved sub-sequences, transform each, then combine.
    private void Recurse(ReadOnlySpan<Complex> input, int stride, Span<Complex> output, int n, int level)
    {
        if (n == 1)
        {
            output[0] = input[0];
            return;
        }

        var p = _factors[level];
        var m = n / p;
        for (var q = 0; q < p; q++)
        {
            Recurse(input[(q * stride)..], stride * p, output.Slice(q * m, m), m, level + 1);
        }

        var twiddleStep = Length / n; // W_n^j = W_N^(j * N/n)
        switch (p)
        {
            case 2:
                for (var k = 0; k < m; k++)
                {
                    var t0 = output[k];
                    var t1 = output[m + k] * _twiddles[k * twiddleStep];
                    output[k] = t0 + t1;
                    output[m + k] = t0 - t1;
                }

                break;
            case 4:
                for (var k = 0; k < m; k++)
                {
                    var t0 = output[k];
                    var t1 = output[m + k] * _twiddles[k * twiddleStep];
                    var t2 = output[(2 * m) + k] * _twiddles[2 * k * twiddleStep];
                    var t3 = output[(3 * m) + k] * _twiddles[3 * k * twiddleStep];
                    var a = t0 + t2;
                    var b = t0 - t2;
                    var c = t1 + t3;
                    var d = t1 - t3;
                    var minusId = new Complex(d.Imaginary, -d.Real); // -i * d (forward direction)
                    output[k] = a + c;
                    output[m + k] = b + minusId;
                    output[(2 * m) + k] = a - c;
                    output[(3 * m) + k] = b - minusId;
                }

                break;
            default:
                Span<Complex> t = stackalloc Complex[p];
                var radixStep = Length / p; // W_p^j = W_N^(j * N/p)
                for (var k = 0; k < m; k++)
                {
                    for (var q = 0; q < p; q++)
                    {
                        t[q] = output[(q * m) + k] * _twiddles[(q * k * twiddleStep) % Length];
                    }

                    for (var r = 0; r < p; r++)
                    {
                        var sum = t[0];
                        for (var q = 1; q < p; q++)
                        {
                            sum += t[q] * _twiddles[(q * r % p) * radixStep];
                        }

                        output[(r * m) + k] = sum;
                    }
                }

                break;
        }
    }

    private static int[] Factorize(int n)
    {
        var factors = new List<int>();
        while (n % 4 == 0)
        {
            factors.Add(4);
            n /= 4;
        }

        while (n % 2 == 0)
        {
            factors.Add(2);
            n /= 2;
        }

        for (var f = 3; (long)f * f <= n; f += 2)
        {
            while (n % f == 0)
            {
                factors.Add(f);
                n /= f;
            }
        }

        if (n > 1)
        {
            factors.Add(n);
        }

        return [.. factors];
    }

    /// <summary>Chirp-z: a length-N DFT as a circular convolution of power-of-two length.</summary>
    private sealed class Bluestein
    {
        private readonly int _n;
        private readonly Fft _inner;
        private readonly Complex[] _chirp; // exp(-i pi k^2 / N)
        private readonly Complex[] _filterSpectrum; // FFT of the conjugate chirp, wrapped

        public Bluestein(int n)
        {
            _n = n;
            var m = 1;
            while (m < (2 * n) - 1)
            {
                m <<= 1;
            }

            _inner = Get(m);
            _chirp = new Complex[n];
            for (var k = 0; k < n; k++)
            {
                // k^2 mod 2N keeps the angle small, so it stays exact for large k.
                var kk = (long)k * k % (2L * n);
                var angle = -Math.PI * kk / n;
                _chirp[k] = new Complex(Math.Cos(angle), Math.Sin(angle));
            }

            var filter = new Complex[m];
            filter[0] = Complex.Conjugate(_chirp[0]);
            for (var k = 1; k < n; k++)
            {
                filter[k] = Complex.Conjugate(_chirp[k]);
                filter[m - k] = filter[k];
            }

            _filterSpectrum = new Complex[m];
            _inner.Forward(filter, _filterSpectrum);
        }

        public void Forward(ReadOnlySpan<Complex> input, Span<Complex> output)
        {
            var m = _inner.Length;
            var a = new Complex[m];
            for (var k = 0; k < _n; k++)
            {
                a[k] = input[k] * _chirp[k];
            }

            var spectrum = new Complex[m];
            _inner.Forward(a, spectrum);
            for (var i = 0; i < m; i++)
            {
                spectrum[i] *= _filterSpectrum[i];
            }

            _inner.Inverse(spectrum, a);
            var scale = 1.0 / m;
            for (var k = 0; k < _n; k++)
            {
                output[k] = a[k] * _chirp[k] * scale;
            }
        }
    }
}
