using System.Text;
using Nsmt.Amp.Format;
using Nsmt.Core;

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

    /// <summary>The JSON text of a model.</summary>
    public static string Serialize(KerasModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var stream = new MemoryStream();
        KerasJsonWriter.Write(model, stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>
    /// Checks that AIDA-X can load the model (<see cref="AidaLimits"/>), then writes it atomically.
    /// </summary>
    public static void SaveForAida(KerasModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            AidaLimits.Check(model);
        }
        catch (NamFormatException e)
        {
            throw e.WithFile(path);
        }

        AtomicFile.Write(path, stream => KerasJsonWriter.Write(model, stream));
    }
}
