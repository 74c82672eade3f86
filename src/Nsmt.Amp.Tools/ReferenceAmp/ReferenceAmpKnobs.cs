using Nsmt.Amp.Keras;
using Nsmt.Core;

namespace Nsmt.Amp.ReferenceAmp;

/// <summary>The reference amp's knobs by the names a <see cref="KnobSetting"/> uses (its options' snake_case names).</summary>
public static class ReferenceAmpKnobs
{
    private static readonly Dictionary<string, Func<ReferenceAmpOptions, double, ReferenceAmpOptions>> Setters = new()
    {
        ["gain_db"] = (o, v) => o with { GainDb = v },
        ["mid_db"] = (o, v) => o with { MidDb = v },
        ["bass_db"] = (o, v) => o with { BassDb = v },
        ["treble_db"] = (o, v) => o with { TrebleDb = v },
        ["second_stage_gain_db"] = (o, v) => o with { SecondStageGainDb = v },
        ["output_gain_db"] = (o, v) => o with { OutputGainDb = v },
        ["asymmetry"] = (o, v) => o with { Asymmetry = v },
    };

    public static IReadOnlyCollection<string> Names => Setters.Keys;

    /// <summary>The options with the setting's knobs turned; an unknown name is an error naming the nearest.</summary>
    public static ReferenceAmpOptions Apply(ReferenceAmpOptions options, KnobSetting setting, string field)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(setting);
        foreach (var (name, value) in setting.Values)
        {
            options = Setters.TryGetValue(name, out var set)
                ? set(options, value)
                : throw new NsmtInputException(
                    null,
                    field,
                    $"the reference amp has no knob '{name}'{NearestName.Suggestion(name, Setters.Keys)} (knobs: {string.Join(", ", Setters.Keys)})"
                );
        }

        return options;
    }
}
