using Nsmt.Audio.Dsp;

namespace Nsmt.Amp.ReferenceAmp;

/// <summary>
/// A deterministic synthetic guitar amp to capture and learn, standing in for real gear:
/// <code>
/// oversample -> tight high-pass -> gain -> asymmetric tanh -> tone stack -> gain -> soft clip -> downsample
///   -> cabinet (high-pass, low resonance, presence, 4th-order low-pass) -> output gain -> [noise] -> [latency]
/// </code>
/// Causal: half-band oversampling filters are run causally, so the response to a click starts a few
/// samples after the interface latency. Each <see cref="Process"/> call starts from silence.
/// </summary>
public sealed class ReferenceAmp
{
    private readonly HalfbandFilter[] _stages;

    public ReferenceAmp(ReferenceAmpOptions? options = null)
    {
        Options = options ??= new ReferenceAmpOptions();
        Check(
            options.SampleRate >= 16000 && options.SampleRate <= 192000,
            nameof(options.SampleRate),
            "between 16000 and 192000 Hz",
            options.SampleRate
        );
        Check(
            options.Oversampling is 1 or 2 or 4 or 8,
            nameof(options.Oversampling),
            "1, 2, 4 or 8",
            options.Oversampling
        );
        Check(
            options.LatencySamples >= 0 && options.LatencySamples <= options.SampleRate,
            nameof(options.LatencySamples),
            "between 0 and one second of samples",
            options.LatencySamples
        );
        Check(
            double.IsFinite(options.GainDb) && Math.Abs(options.GainDb) <= 60,
            nameof(options.GainDb),
            "within +-60 dB",
            options.GainDb
        );
        Check(
            double.IsFinite(options.SecondStageGainDb) && Math.Abs(options.SecondStageGainDb) <= 60,
            nameof(options.SecondStageGainDb),
            "within +-60 dB",
            options.SecondStageGainDb
        );
        Check(
            double.IsFinite(options.OutputGainDb) && Math.Abs(options.OutputGainDb) <= 60,
            nameof(options.OutputGainDb),
            "within +-60 dB",
            options.OutputGainDb
        );
        Check(
            double.IsFinite(options.Asymmetry) && Math.Abs(options.Asymmetry) <= 2,
            nameof(options.Asymmetry),
            "within +-2",
            options.Asymmetry
        );
        Check(
            options.CabinetLowCutHz > 0
                && options.CabinetLowCutHz < options.CabinetHighCutHz
                && options.CabinetHighCutHz < 0.45 * options.SampleRate,
            nameof(options.CabinetHighCutHz),
            $"0 < low cut < high cut < {0.45 * options.SampleRate} Hz",
            $"{options.CabinetLowCutHz}..{options.CabinetHighCutHz}"
        );
        Check(
            options.NoiseDbfs is null || (double.IsFinite(options.NoiseDbfs.Value) && options.NoiseDbfs <= 0),
            nameof(options.NoiseDbfs),
            "at most 0 dBFS",
            options.NoiseDbfs!
        );

        // The first 2x stage carries the audio band up to its Nyquist frequency, so it needs the
        // sharper (longer) filter; later stages only have to reject images far from the audio band.
        var stageCount = options.Oversampling switch
        {
            2 => 1,
            4 => 2,
            8 => 3,
            _ => 0,
        };
        _stages = Enumerable
            .Range(0, stageCount)
            .Select(i => new HalfbandFilter(
                i == 0 ? 63
                : i == 1 ? 23
                : 15
            ))
            .ToArray();
    }

    public ReferenceAmpOptions Options { get; }

    public int SampleRate => Options.SampleRate;

    /// <summary>Delay of the oversampling filters, in samples at the base rate (up and down together).</summary>
    public double OversamplingDelay
    {
        get
        {
            double delay = 0;
            double factor = 2;
            foreach (var stage in _stages)
            {
                delay += 2 * stage.Delay / factor;
                factor *= 2;
            }

            return delay;
        }
    }

    /// <summary>
    /// The amp's response to <paramref name="input"/>, from silence. The result is
    /// <see cref="ReferenceAmpOptions.LatencySamples"/> longer than the input: an interface
    /// recording the whole delayed response.
    /// </summary>
    public float[] Process(ReadOnlySpan<float> input)
    {
        var o = Options;
        var x = new double[input.Length];
        for (var i = 0; i < x.Length; i++)
        {
            x[i] = input[i];
        }

        // Clipping stages at the oversampled rate.
        var high = x;
        foreach (var stage in _stages)
        {
            high = stage.Upsample(high);
        }

        var rate = (double)o.SampleRate * o.Oversampling;
        var tight = new BiquadFilter(BiquadCoefficients.Design(BiquadType.HighPass, rate, o.TightHz, 0.707));
        var bass = new BiquadFilter(BiquadCoefficients.Design(BiquadType.LowShelf, rate, 150, 0.707, o.BassDb));
        var mid = new BiquadFilter(BiquadCoefficients.Design(BiquadType.Peaking, rate, 650, 0.7, o.MidDb));
        var treble = new BiquadFilter(BiquadCoefficients.Design(BiquadType.HighShelf, rate, 2500, 0.707, o.TrebleDb));
        var gain1 = Math.Pow(10, o.GainDb / 20);
        var gain2 = Math.Pow(10, o.SecondStageGainDb / 20);
        var offset = Math.Tanh(o.Asymmetry);
        for (var n = 0; n < high.Length; n++)
        {
            var u = gain1 * tight.Process(high[n]);
            u = Math.Tanh(u + o.Asymmetry) - offset; // asymmetric: clips harder on one side
            u = treble.Process(mid.Process(bass.Process(u)));
            u *= gain2;
            high[n] = u / Math.Sqrt(1 + (u * u)); // smooth symmetric soft clip
        }

        for (var s = _stages.Length - 1; s >= 0; s--)
        {
            high = _stages[s].Downsample(high);
        }

        // Cabinet and output at the base rate.
        BiquadFilter[] cabinet =
        [
            new(BiquadCoefficients.Design(BiquadType.HighPass, o.SampleRate, o.CabinetLowCutHz, 0.707)),
            new(BiquadCoefficients.Design(BiquadType.Peaking, o.SampleRate, 110, 1.4, 4)),
            new(BiquadCoefficients.Design(BiquadType.Peaking, o.SampleRate, 2200, 1.2, 3)),
            new(BiquadCoefficients.Design(BiquadType.LowPass, o.SampleRate, o.CabinetHighCutHz, 0.54)),
            new(BiquadCoefficients.Design(BiquadType.LowPass, o.SampleRate, o.CabinetHighCutHz, 1.31)),
        ];
        var outputGain = Math.Pow(10, o.OutputGainDb / 20);
        var output = new float[o.LatencySamples + input.Length];
        var noise = o.NoiseDbfs is null ? null : new Random(o.NoiseSeed);
        var noiseRms = o.NoiseDbfs is { } db ? Math.Pow(10, db / 20) : 0;
        for (var n = 0; n < output.Length; n++)
        {
            double y = 0;
            var source = n - o.LatencySamples;
            if (source >= 0)
            {
                y = high[source];
                foreach (var filter in cabinet)
                {
                    y = filter.Process(y);
                }

                y *= outputGain;
            }

            if (noise is not null)
            {
                y += noiseRms * Gaussian(noise);
            }

            output[n] = (float)y;
        }

        return output;
    }

    private static double Gaussian(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    private static void Check(bool ok, string name, string expected, object actual)
    {
        if (!ok)
        {
            throw new ArgumentException($"{name}: expected {expected}, got {actual}", name);
        }
    }
}
