namespace Nsmt.Audio.Synth;

/// <summary>
/// NSMT's 4-pole Moog-style ladder: four one-pole stages with tanh saturation and resonance fed back
/// from the previous sample's last stage. State is double precision; call <see cref="Reset"/> per clip.
/// </summary>
public sealed class MoogLadderFilter
{
    private readonly double _sampleRate;
    private readonly double[] _stage = new double[4];
    private double _lastOutput; // tanh of stage 3 at the previous sample (the feedback tap)

    public MoogLadderFilter(int sampleRate)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 1);
        _sampleRate = sampleRate;
    }

    public void Reset()
    {
        Array.Clear(_stage);
        _lastOutput = 0;
    }

    /// <summary>Filters one sample with cutoff <paramref name="cutoffHz"/> and resonance in [0, 1).</summary>
    public double Process(double x, double cutoffHz, double resonance)
    {
        var fc = Math.Clamp(cutoffHz, 20.0, _sampleRate * 0.45);
        var res = Math.Clamp(resonance, 0.0, 0.99);
        var g = Math.Tan(Math.PI * fc / _sampleRate);
        var a = 1.0 / (1.0 + (2.0 * g));
        var u = x - (4.0 * res * _lastOutput);
        for (var i = 0; i < 4; i++)
        {
            _stage[i] = ((1.0 - a) * u) + (a * _stage[i]);
            u = Math.Tanh(_stage[i]);
        }

        _lastOutput = u;
        return u;
    }
}
