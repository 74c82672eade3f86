namespace Nsmt.Audio.Dsp;

/// <summary>
/// Band-limited rational resampling (any integer rates, e.g. 8k/16k/44.1k/48k/88.2k/96k) with a
/// polyphase Kaiser-windowed sinc filter. Design: passband flat to <see cref="PassbandFraction"/> of the
/// lower Nyquist frequency, stopband from that Nyquist frequency on, attenuated by at least
/// <see cref="StopbandAttenuationDb"/> dB, so nothing above the output Nyquist aliases audibly.
/// The filter is linear-phase and centred: output sample j is at time j/outRate exactly.
/// </summary>
public sealed class Resampler
{
    public const double StopbandAttenuationDb = 100.0;
    public const double PassbandFraction = 0.9;

    private readonly int _up; // L
    private readonly int _down; // M
    private readonly int _halfTaps;
    private readonly double[][] _phases; // [phase][tap], tap i -> input offset i - _halfTaps

    public Resampler(int inputRate, int outputRate)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputRate, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputRate, 1);
        InputRate = inputRate;
        OutputRate = outputRate;
        var g = Gcd(inputRate, outputRate);
        _up = outputRate / g;
        _down = inputRate / g;
        if (_up > 4096)
        {
            throw new ArgumentException(
                $"rate ratio {outputRate}/{inputRate} reduces to {_up}/{_down}; numerators above 4096 are not supported"
            );
        }

        var nyquist = Math.Min(inputRate, outputRate) / 2.0;
        var transition = (1.0 - PassbandFraction) * nyquist; // Hz
        var cutoff = (PassbandFraction * nyquist) + (transition / 2); // -6 dB point, Hz
        var fc = cutoff / inputRate; // cycles per input sample
        var beta = 0.1102 * (StopbandAttenuationDb - 8.7);
        // Kaiser's length estimate, in input samples, for this attenuation and transition width.
        var length = (StopbandAttenuationDb - 7.95) / (2.285 * 2 * Math.PI * (transition / inputRate));
        _halfTaps = (int)Math.Ceiling(length / 2) + 1;
        var i0Beta = Window.BesselI0(beta);

        _phases = new double[_up][];
        for (var phase = 0; phase < _up; phase++)
        {
            var frac = (double)phase / _up; // output time minus floor, in input samples
            var taps = new double[(2 * _halfTaps) + 1];
            for (var i = 0; i < taps.Length; i++)
            {
                var tau = frac - (i - _halfTaps); // distance from the input sample to the output instant
                var r = tau / (_halfTaps);
                var window = Math.Abs(r) >= 1 ? 0 : Window.BesselI0(beta * Math.Sqrt(1 - (r * r))) / i0Beta;
                taps[i] = 2 * fc * Sinc(2 * fc * tau) * window;
            }

            _phases[phase] = taps;
        }
    }

    public int InputRate { get; }

    public int OutputRate { get; }

    /// <summary>ceil(n * out / in): the output covers the same duration as the input.</summary>
    public long OutputLength(long inputLength) => ((inputLength * _up) + _down - 1) / _down;

    public float[] Process(ReadOnlySpan<float> input)
    {
        var output = new float[OutputLength(input.Length)];
        for (long j = 0; j < output.Length; j++)
        {
            var position = j * _down; // output instant in units of 1/L input samples
            var center = position / _up;
            var phase = (int)(position % _up);
            var taps = _phases[phase];
            var first = center - _halfTaps;
            double sum = 0;
            var iStart = (int)Math.Max(0, -first);
            var iEnd = (int)Math.Min(taps.Length, input.Length - first);
            for (var i = iStart; i < iEnd; i++)
            {
                sum += taps[i] * input[(int)(first + i)];
            }

            output[j] = (float)sum;
        }

        return output;
    }

    public AudioBuffer Process(AudioBuffer audio)
    {
        ArgumentNullException.ThrowIfNull(audio);
        if (audio.SampleRate != InputRate)
        {
            throw new ArgumentException($"audio is at {audio.SampleRate} Hz, this resampler expects {InputRate} Hz");
        }

        return new AudioBuffer(OutputRate, audio.Channels.Select(c => Process(c)).ToArray());
    }

    public static AudioBuffer Resample(AudioBuffer audio, int outputRate)
    {
        ArgumentNullException.ThrowIfNull(audio);
        return audio.SampleRate == outputRate ? audio : new Resampler(audio.SampleRate, outputRate).Process(audio);
    }

    private static double Sinc(double x) => x == 0 ? 1.0 : Math.Sin(Math.PI * x) / (Math.PI * x);

    private static int Gcd(int a, int b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }
}
