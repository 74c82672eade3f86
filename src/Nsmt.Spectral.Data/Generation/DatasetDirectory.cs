using System.Text.Json;
using Nsmt.Core;

namespace Nsmt.Spectral.Data.Generation;

/// <summary>
/// Where the generator may write. Generation replaces <c>train</c>, <c>test</c> and the info JSON, so it only
/// ever writes into a directory it creates, an empty one, or one it made itself: a finished dataset (its info JSON
/// names this generator) or an interrupted generation (the in-progress marker is still there). Anything else —
/// a directory of other files, <c>/etc</c>, a dataset from another tool — is refused before a byte is written.
/// </summary>
internal static class DatasetDirectory
{
    /// <summary>The <c>nsmt_net.generator</c> field of the info JSON this generator writes.</summary>
    public const string GeneratorName = "NSMT.NET Nsmt.Spectral.Data";

    /// <summary>Written when generation starts and removed when it finishes, so an interrupted run can be redone.</summary>
    public const string InProgressMarker = ".nsmt-vimh-generating";

    // An info JSON is a few kB; a larger file of that name is not ours and is not read whole.
    private const long MaxInfoBytes = 1 << 20;

    private const int ListedEntries = 5;

    /// <summary>Makes <paramref name="directory"/> ready for generation or throws naming it and what was found there.</summary>
    public static void Claim(string directory)
    {
        if (File.Exists(directory))
        {
            throw new VimhDataException($"{directory}: cannot generate a dataset here: it is a file, not a directory");
        }

        if (Directory.Exists(directory))
        {
            var entries = Directory
                .EnumerateFileSystemEntries(directory)
                .Select(Path.GetFileName)
                .OfType<string>()
                .Order(StringComparer.Ordinal)
                .ToList();
            var ours = entries.Count == 0 || entries.Contains(InProgressMarker) || IsFinishedDataset(directory);
            if (!ours)
            {
                var found =
                    string.Join(", ", entries.Take(ListedEntries))
                    + (entries.Count > ListedEntries ? $" and {entries.Count - ListedEntries} more" : "");
                throw new VimhDataException(
                    $"{directory}: refusing to generate a dataset into this existing directory: it is not empty and was not made by the "
                        + $"dataset generator (no {VimhFormat.InfoFileName} from {GeneratorName}; found: {found}); "
                        + "choose a data directory that does not exist yet, or an empty one"
                );
            }
        }
        else
        {
            Directory.CreateDirectory(directory);
        }

        // A generation killed before it could clean up left its temporaries (whole splits: hundreds of MB).
        AtomicFile.SweepStaleTemporaries(directory);
        File.WriteAllText(
            Path.Combine(directory, InProgressMarker),
            $"{GeneratorName} is generating a dataset here; "
                + "if this file stays, generation was interrupted and the data files are incomplete\n"
        );
        // The old info JSON describes the old data files; until the new one is written the directory is not a dataset.
        File.Delete(Path.Combine(directory, VimhFormat.InfoFileName));
    }

    /// <summary>Generation finished (info JSON written): the directory is a complete dataset again.</summary>
    public static void Complete(string directory) => File.Delete(Path.Combine(directory, InProgressMarker));

    private static bool IsFinishedDataset(string directory)
    {
        var info = new FileInfo(Path.Combine(directory, VimhFormat.InfoFileName));
        if (!info.Exists || info.Length > MaxInfoBytes)
        {
            return false;
        }

        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(info.FullName));
            // The generator writes its provenance under "nsmt_net" (VimhInfoWriter).
            return doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("nsmt_net", out var provenance)
                && provenance.ValueKind == JsonValueKind.Object
                && provenance.TryGetProperty("generator", out var generator)
                && generator.ValueKind == JsonValueKind.String
                && generator.GetString() == GeneratorName;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
