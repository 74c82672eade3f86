using Nsmt.Amp.Format;
using Nsmt.Amp.Training.Modules;

namespace Nsmt.Amp.Training.Export;

/// <summary>
/// Writes a trained module as the <c>.nam</c> version its recipe asks for (<c>model.nam_version</c>): A1 WaveNets and
/// LSTMs as 0.5.4; an A2 as a 0.6.0 WaveNet (a packed run: its widest width) or a 0.7.0 SlimmableContainer of every
/// width, with NAM's uniform max values ((i+1)/S, the last 1.0) and each width's own loudness and gain.
/// </summary>
public static class ModelExport
{
    /// <param name="metadata">The metadata of one module (a width of a packed model, or the model itself).</param>
    public static void Save(
        AmpModule module,
        string path,
        double sampleRate,
        string version,
        Func<AmpModule, NamMetadata> metadata
    )
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(metadata);
        switch (module)
        {
            case PackedA2 packed when version == A2NamFile.ContainerVersion:
                var count = packed.Submodels.Count;
                var widths = packed
                    .Submodels.Select(
                        (s, i) => new A2Submodel(s, i == count - 1 ? 1.0 : (i + 1.0) / count, metadata(s))
                    )
                    .ToList();
                A2NamFile.SaveContainer(widths, path, sampleRate, widths[^1].Metadata);
                break;
            case PackedA2 packed:
                A2NamFile.SaveWaveNet(packed.Widest, path, sampleRate, metadata(packed.Widest));
                break;
            case NamA2WaveNet a2 when version == A2NamFile.ContainerVersion:
                var only = metadata(a2);
                A2NamFile.SaveContainer([new A2Submodel(a2, 1.0, only)], path, sampleRate, only);
                break;
            case NamA2WaveNet a2:
                A2NamFile.SaveWaveNet(a2, path, sampleRate, metadata(a2));
                break;
            default:
                NamExport.Save(module, path, sampleRate, metadata(module));
                break;
        }
    }
}
