using System.Text;
using Nsmt.Amp.Architectures;
using Nsmt.Core;

namespace Nsmt.Amp.Format;

/// <summary>Import and export of <c>.nam</c> files (legacy format, version 0.5.x; see nam-format.md).</summary>
public static class NamFile
{
    /// <summary>Reads and validates a <c>.nam</c> file.</summary>
    /// <exception cref="NamFormatException">The file breaks a rule; the message names file and field.</exception>
    public static NamModel Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return NamReader.Parse(File.ReadAllBytes(path), path);
    }

    /// <summary>Parses <c>.nam</c> JSON text; <paramref name="sourceName"/> appears in error messages.</summary>
    public static NamModel Parse(string json, string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        return NamReader.Parse(Encoding.UTF8.GetBytes(json), sourceName);
    }

    /// <summary>The version 0.5.4 JSON text of a model (validated first).</summary>
    public static string Serialize(NamModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var stream = new MemoryStream();
        NamWriter.Write(model, stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>
    /// Validates the model, then writes it atomically: to a temporary file in the same folder,
    /// flushed to disk, then moved over <paramref name="path"/>, so a reader never sees half a file.
    /// </summary>
    public static void Save(NamModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            NamWriter.CheckExportRules(model);
            AtomicFile.Write(path, stream => NamWriter.Write(model, stream));
        }
        catch (NamFormatException e)
        {
            throw e.WithFile(path);
        }
    }
}
