namespace Nsmt.Amp.Architectures;

/// <summary>
/// Which of NAM's presets (<c>configs/amp/models/</c>: A1 WaveNets, A2 widths, LSTMs) a model is, so a report can say
/// "A1 standard", "A2-Lite" or "A2-Full" instead of a weight count. A model matches a preset with the same kind of
/// config, weight count and receptive field (a .nam file does not store the preset's name).
/// </summary>
public static class NamPresetNames
{
    private static readonly (string File, Func<string, string> Name)[] Families =
    [
        (NamPresetFile.WaveNetFile, name => $"A1 {name}"),
        (NamPresetFile.A2File, name => $"A2-{char.ToUpperInvariant(name[0])}{name[1..]}"),
        (NamPresetFile.LstmFile, name => $"LSTM {name}"),
    ];

    /// <summary>The preset's name, or null when no preset matches or the presets folder has none of the files.</summary>
    public static string? Of(NamModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        string folder;
        try
        {
            folder = NamPresetFile.Directory();
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }

        foreach (var (file, name) in Families)
        {
            var path = Path.Combine(folder, file);
            if (!File.Exists(path))
            {
                continue;
            }

            foreach (var (preset, config) in NamPresetFile.Load(path))
            {
                if (
                    config.GetType() == model.Config.GetType()
                    && config.ParameterCount == model.Config.ParameterCount
                    && config.ReceptiveField == model.ReceptiveField
                )
                {
                    return name(preset);
                }
            }
        }

        return null;
    }
}
