using Nsmt.Amp.Training.Modules;
using Nsmt.Audio;

namespace Nsmt.Amp.Training.Data;

/// <summary>
/// NAM's output normalisation (neural-amp-modeler's <c>nam/train/_normalize.py</c>, the A2 recipe's "targets normalised to
/// -18 dBFS RMS with head_scale compensated after"): the training target is scaled by one gain, to a fixed RMS unless
/// its peak would then reach full scale; training sees the scaled target (the input is not scaled); the trained
/// WaveNet's head_scale is then divided by the gain, so the exported model plays at the recording's level. A
/// preconditioning of the data only: it does not change what the exported model does, only how training gets there.
/// </summary>
public static class TargetNormalization
{
    /// <summary>The largest |gain * target| allowed: NAM's dataset refuses |y| >= 1, so a margin below it.</summary>
    public const double PeakLimit = 1.0 - 1e-4;

    /// <summary>A target whose RMS is below this is silence: not normalised (gain 1).</summary>
    public const double SilenceRms = 1e-8;

    /// <summary>
    /// The gain that brings <paramref name="target"/> to <paramref name="targetRmsDbfs"/> RMS, lowered so that its peak
    /// stays at <see cref="PeakLimit"/> at most; 1 for silence. Measured in float64 over the whole signal, read a
    /// piece at a time (NAM measures the reamp file as read; here it is the aligned reamp, a few samples of latency
    /// shorter).
    /// </summary>
    public static double Gain(SampleSource target, double targetRmsDbfs)
    {
        ArgumentNullException.ThrowIfNull(target);
        double energy = 0;
        double peak = 0;
        foreach (var piece in target.Chunks(0, target.Length))
        {
            foreach (var v in piece.Span)
            {
                energy += (double)v * v;
                peak = Math.Max(peak, Math.Abs((double)v));
            }
        }

        var rms = target.Length == 0 ? 0 : Math.Sqrt(energy / target.Length);
        if (rms < SilenceRms)
        {
            return 1;
        }

        var gain = Math.Pow(10, targetRmsDbfs / 20) / rms;
        return peak * gain > PeakLimit ? gain * (PeakLimit / (peak * gain)) : gain;
    }

    /// <summary>Scales training targets in place: the floats training sees, <c>(float)(y * gain)</c>.</summary>
    public static void Scale(Span<float> target, double gain)
    {
        if (gain == 1)
        {
            return;
        }

        for (var i = 0; i < target.Length; i++)
        {
            target[i] = (float)(target[i] * gain);
        }
    }

    /// <summary>
    /// Divides <paramref name="model"/>'s head_scale (every width's, of a packed model) by <paramref name="gain"/>, so a
    /// model trained on targets scaled by it plays at the unscaled level; undone when the result is disposed (the
    /// very floats put back), so training goes on at the scaled level. Gain 1 changes nothing.
    /// </summary>
    /// <exception cref="ArgumentException">The gain is not finite and positive, or the model has no head_scale (an LSTM).</exception>
    public static IDisposable Compensate(AmpModule model, double gain)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!double.IsFinite(gain) || gain <= 0)
        {
            throw new ArgumentException($"cannot compensate a target gain of {gain}: it must be finite and positive");
        }

        if (gain == 1)
        {
            return new Restore([]);
        }

        var scaled = HeadScaled(model);
        var kept = scaled.Select(m => (m, m.HeadScale)).ToList();
        foreach (var module in scaled)
        {
            module.HeadScale = (float)(module.HeadScale / gain);
        }

        return new Restore(kept);
    }

    /// <summary>The modules whose head_scale the output is multiplied by.</summary>
    private static IReadOnlyList<IHeadScaled> HeadScaled(AmpModule model) =>
        model switch
        {
            PackedA2 packed => [.. packed.Submodels],
            IHeadScaled one => [one],
            _ => throw new ArgumentException(
                $"{model.GetType().Name} has no head_scale to compensate a target normalisation (NAM's WaveNets only)"
            ),
        };

    private sealed class Restore(IReadOnlyList<(IHeadScaled Module, float HeadScale)> kept) : IDisposable
    {
        public void Dispose()
        {
            foreach (var (module, headScale) in kept)
            {
                module.HeadScale = headScale;
            }
        }
    }
}
