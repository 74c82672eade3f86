using System.Text;

namespace Nsmt.Amp.Keras;

/// <summary>
/// Import of RTNeural "keras" JSON model files, AIDA-X's <c>.json</c>/<c>.aidax</c> (LSTM or GRU
/// models with 1-3 inputs: the audio, then knobs).
/// </summary>
public static class KerasModelFile
{
    /// <exception cref="Format.NamFormatException">The file breaks a rule; the message names file and field.</exception>
    public static KerasModel Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return KerasJsonReader.Parse(File.ReadAllBytes(path), path);
    }

    public static KerasModel Parse(string json, string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        return KerasJsonReader.Parse(Encoding.UTF8.GetBytes(json), sourceName);
    }
}
