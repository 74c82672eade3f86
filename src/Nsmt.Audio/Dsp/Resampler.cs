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
            output[j] = Output(j, input, 0, input.Length);
        }

        return output;
    }

    /// <summary>
    /// A resampling of one signal given a piece at a time, in memory bounded by the filter's length whatever the
    /// signal's: the same floats, in the same order, as <see cref="Process(ReadOnlySpan{float})"/> of the whole signal.
    /// </summary>
    public Stream Start() => new(this);

    /// <summary>First input sample under output sample <paramref name="j"/>'s filter (may be negative).</summary>
    private long FirstInput(long j) => (j * _down / _up) - _halfTaps;

    /// <summary>
    /// Output sample <paramref name="j"/> of a signal of <paramref name="inputLength"/> samples, of which
    /// <paramref name="window"/> holds those from <paramref name="windowStart"/> on (at least the ones under the filter).
    /// </summary>
    private float Output(long j, ReadOnlySpan<float> window, long windowStart, long inputLength)
    {
        var position = j * _down; // output instant in units of 1/L input samples
        var taps = _phases[(int)(position % _up)];
        var first = (position / _up) - _halfTaps;
        double sum = 0;
        var iStart = (int)Math.Max(0, -first);
        var iEnd = (int)Math.Min(taps.Length, inputLength - first);
        var offset = first - windowStart;
        for (var i = iStart; i < iEnd; i++)
        {
            sum += taps[i] * window[(int)(offset + i)];
        }

        return (float)sum;
    }

    /// <summary>
    /// Resamples a signal given in consecutive pieces (<see cref="Push"/>, then <see cref="Finish"/>): an output sample
    /// is made as soon as every input sample under its filter has arrived, from the same sum as the whole signal's.
    /// Holds the filter's span of input and one piece's outputs.
    /// </summary>
    public sealed class Stream
    {
        private readonly Resampler _resampler;
        private float[] _pending = [];
        private float[] _output = [];
        private long _pendingStart; // input index of _pending[0]
        private int _pendingCount;
        private long _received;
        private long _next; // the next output sample to make
        private bool _finished;

        internal Stream(Resampler resampler) => _resampler = resampler;

        /// <summary>Input samples given so far.</summary>
        public long InputLength => _received;

        /// <summary>
        /// Adds the next <paramref name="input"/> samples; returns the output samples they complete (valid until the
        /// next call).
        /// </summary>
        public ReadOnlySpan<float> Push(ReadOnlySpan<float> input)
        {
            RequireOpen();
            Append(input);
            _received += input.Length;
            var tapCount = _resampler._phases[0].Length;
            // Ready: the filter's last tap lies inside what has arrived, so the signal's end cannot cut the sum.
            var ready = _next;
            while (_resampler.FirstInput(ready) + tapCount <= _received)
            {
                ready++;
            }

            return Emit(ready);
        }

        /// <summary>The signal has ended: returns the remaining output samples (those whose filter runs past the end).</summary>
        public ReadOnlySpan<float> Finish()
        {
            RequireOpen();
            var outputs = Emit(_resampler.OutputLength(_received));
            _finished = true;
            return outputs;
        }

        private void RequireOpen()
        {
            if (_finished)
            {
                throw new InvalidOperationException("the resampled signal has already ended (Finish was called)");
            }
        }

        private ReadOnlySpan<float> Emit(long end)
        {
            var count = (int)(end - _next);
            if (_output.Length < count)
            {
                _output = new float[count];
            }

            var window = _pending.AsSpan(0, _pendingCount);
            for (var k = 0; k < count; k++)
            {
                _output[k] = _resampler.Output(_next + k, window, _pendingStart, _received);
            }

            _next = end;
            Discard(Math.Max(0, _resampler.FirstInput(_next)));
            return _output.AsSpan(0, count);
        }

        private void Append(ReadOnlySpan<float> input)
        {
            if (_pending.Length < _pendingCount + input.Length)
            {
                Array.Resize(ref _pending, Math.Max(_pendingCount + input.Length, 2 * _pending.Length));
            }

            input.CopyTo(_pending.AsSpan(_pendingCount));
            _pendingCount += input.Length;
        }

        /// <summary>Drops the input before <paramref name="start"/>: no output still to come reads it.</summary>
        private void Discard(long start)
        {
            var drop = (int)Math.Min(_pendingCount, start - _pendingStart);
            if (drop <= 0)
            {
                return;
            }

            _pending.AsSpan(drop, _pendingCount - drop).CopyTo(_pending);
            _pendingCount -= drop;
            _pendingStart += drop;
        }
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
