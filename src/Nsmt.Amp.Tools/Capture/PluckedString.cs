namespace Nsmt.Amp.Capture;

/// <summary>How one note is plucked.</summary>
/// <param name="Frequency">Fundamental in Hz.</param>
/// <param name="Velocity">Peak level of the excitation, 0..1.</param>
/// <param name="Brightness">0 (dark, thumb) .. 1 (bright, pick): cut-off of the excitation's low-pass.</param>
/// <param name="DecaySeconds">Time for the string's energy to fall by 60 dB.</param>
/// <param name="PickPosition">Pluck point as a fraction of the string (0.1 near the bridge .. 0.5 mid-string).</param>
/// <param name="Muted">Palm mute: a damped, darker loop.</param>
internal readonly record struct Pluck(
    double Frequency,
    double Velocity,
    double Brightness,
    double DecaySeconds,
    double PickPosition,
    bool Muted
);

/// <summary>
/// Karplus-Strong plucked string (Jaffe and Smith's extensions): a noise burst shaped by pick
/// position and brightness circulates in a delay line of one period, through a two-point average
/// (string losses rising with frequency), a loop gain set by the decay time and a linearly
/// interpolated fractional delay for tuning. Palm mutes add a one-pole low-pass in the loop.
/// </summary>
internal static class PluckedString
{
    /// <summary>Adds the note to <paramref name="output"/> from <paramref name="onset"/> for <paramref name="length"/> samples, then a 15 ms release.</summary>
    public static void Render(Pluck pluck, Random random, int sampleRate, Span<double> output, int onset, int length)
    {
        var period = sampleRate / pluck.Frequency;
        // The two-point average delays by half a sample; the loop delay makes up the rest.
        var loopDelay = period - 0.5;
        var whole = (int)Math.Floor(loopDelay);
        var fraction = loopDelay - whole;
        var lineLength = whole + 2;
        var line = new double[lineLength];

        // Excitation: one period of noise, low-passed (brightness), comb-filtered (pick position).
        var burst = Math.Max(2, (int)period);
        var excitation = new double[burst];
        var smoothing = Math.Clamp(1.0 - (0.15 + (0.8 * pluck.Brightness)), 0.0, 0.95);
        double state = 0;
        for (var i = 0; i < burst; i++)
        {
            state = ((1 - smoothing) * ((2 * random.NextDouble()) - 1)) + (smoothing * state);
            excitation[i] = state;
        }

        var combDelay = Math.Max(1, (int)(pluck.PickPosition * burst));
        for (var i = burst - 1; i >= combDelay; i--)
        {
            excitation[i] -= excitation[i - combDelay];
        }

        var peak = excitation.Max(Math.Abs);
        var scale = peak > 0 ? pluck.Velocity / peak : 0;

        var decay = pluck.Muted ? Math.Min(pluck.DecaySeconds, 0.25) : pluck.DecaySeconds;
        var loopGain = Math.Pow(10, -3.0 / (decay * pluck.Frequency));
        var muteLowPass = pluck.Muted ? 0.55 : 0.0;
        double muteState = 0;
        double previous = 0;
        var release = sampleRate * 15 / 1000;
        var total = Math.Min(length + release, output.Length - onset);
        for (var n = 0; n < total; n++)
        {
            var input = n < burst ? excitation[n] * scale : 0;
            // line[k mod L] holds y[k]; read y[n - whole] and y[n - whole - 1] and interpolate.
            var r0 = (((n - whole) % lineLength) + lineLength) % lineLength;
            var r1 = (r0 - 1 + lineLength) % lineLength;
            var delayed = ((1 - fraction) * line[r0]) + (fraction * line[r1]);
            var averaged = 0.5 * (delayed + previous);
            previous = delayed;
            var looped = loopGain * averaged;
            if (muteLowPass > 0)
            {
                muteState = ((1 - muteLowPass) * looped) + (muteLowPass * muteState);
                looped = muteState;
            }

            var y = input + looped;
            line[n % lineLength] = y;
            var envelope = n < length ? 1.0 : 0.5 * (1 + Math.Cos(Math.PI * (n - length) / release));
            output[onset + n] += y * envelope;
        }
    }
}
