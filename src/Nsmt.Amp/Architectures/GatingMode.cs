namespace Nsmt.Amp.Architectures;

/// <summary>How a 0.6/0.7 WaveNet layer combines the two halves of its 2B-channel conv output (<c>gating_mode</c>).</summary>
public enum GatingMode
{
    /// <summary><c>"none"</c>: the conv has B outputs; a = act(z).</summary>
    None,

    /// <summary><c>"gated"</c> (A1's <c>gated: true</c>): a = act(z[:B]) * secondary(z[B:]).</summary>
    Gated,

    /// <summary><c>"blended"</c>: alpha = secondary(z[B:]); a = alpha * act(z[:B]) + (1 - alpha) * z[:B].</summary>
    Blended,
}

/// <summary>
/// A FiLM block (feature-wise linear modulation): a grouped 1x1 conv with bias maps the condition to
/// a per-channel scale (and shift), and the signal becomes x * scale (+ shift).
/// </summary>
/// <param name="Active">Whether the block exists (an inactive block has no weights).</param>
/// <param name="Shift">Whether it also adds a shift (the conv then has 2D outputs: scale rows, then shift rows).</param>
/// <param name="Groups">Groups of the condition-to-scale/shift conv.</param>
public sealed record FilmConfig(bool Active, bool Shift = true, int Groups = 1)
{
    public static FilmConfig Inactive { get; } = new(false, false, 1);
}

/// <summary>
/// Where a layer's FiLM blocks act, in Core's weight order (after the layer's convs).
/// </summary>
public enum FilmPosition
{
    /// <summary>On the layer input, before the dilated conv (C channels).</summary>
    ConvPre,

    /// <summary>On the dilated conv's output (the conv's M = B or 2B channels).</summary>
    ConvPost,

    /// <summary>On the condition, before the input mixin (condition_size channels).</summary>
    InputMixinPre,

    /// <summary>On the input mixin's output (M channels).</summary>
    InputMixinPost,

    /// <summary>On z = conv + mixin, before the activation (M channels).</summary>
    ActivationPre,

    /// <summary>On the activation's output (B channels).</summary>
    ActivationPost,

    /// <summary>On layer1x1's output (C channels); Core applies it only in blended layers.</summary>
    Layer1x1Post,

    /// <summary>On head1x1's output (its out_channels).</summary>
    Head1x1Post,
}
