using System.Reflection;
using System.Text;
using Nsmt.Amp.Format;
using Nsmt.Amp.Training;
using Nsmt.Amp.Training.Export;
using Nsmt.Amp.Training.Modules;

namespace Nsmt.Tests.Shared;

/// <summary>
/// The JSON Nsmt.Amp.Training writes through the <c>.nam</c> writers, for fixed models: A2 as a 0.6.0 WaveNet and as
/// a 0.7.0 SlimmableContainer (with and without metadata), and an amp checkpoint's <c>training_data</c> entry. Each
/// case names its golden (Fixtures/main-nam, written by main's writers through tests/fixtures-gen/nam).
/// </summary>
internal static class A2WriterCases
{
    /// <summary>Bottleneck below channels, three kernel sizes, LeakyReLU and Tanh, head kernel and no head bias.</summary>
    private static readonly A2Config Small = new()
    {
        Channels = 3,
        Bottleneck = 2,
        KernelSizes = [6, 15, 3],
        Dilations = [1, 13, 2],
        LeakySlopes = [0.01, 0.2, null],
        HeadKernelSize = 4,
        HeadBias = false,
        HeadScale = 0.01f,
    };

    public static IReadOnlyList<(string Golden, Func<byte[]> Write)> All() =>
        [
            ("a2_wavenet.nam", () => Saved(path => A2NamFile.SaveWaveNet(Module(Small), path, 48_000, null))),
            ("a2_wavenet_metadata.nam", () =>
                Saved(path => A2NamFile.SaveWaveNet(Module(Small), path, 44_100, NamWriterCases.FullMetadata))
            ),
            ("a2_container.nam", () => Saved(path => A2NamFile.SaveContainer(Widths(null, null), path, 48_000, null))),
            ("a2_container_metadata.nam", () =>
                Saved(path =>
                    A2NamFile.SaveContainer(
                        Widths(NamWriterCases.FewFieldsMetadata, NamWriterCases.FullMetadata),
                        path,
                        48_000,
                        NamWriterCases.FullMetadata
                    )
                )
            ),
            ("checkpoint_training_data.json", () => CheckpointTrainingData(NamWriterCases.FullTrainingData)),
            ("checkpoint_training_data_few.json", () =>
                CheckpointTrainingData(NamWriterCases.FewFieldsMetadata.Training!.Data!)
            ),
        ];

    private static NamA2WaveNet Module(A2Config config) =>
        A2NamFile.FromWeights(config, NamWriterCases.Weights(config.WeightCount, config.HeadScale));

    private static IReadOnlyList<A2Submodel> Widths(NamMetadata? narrow, NamMetadata? wide) =>
        [
            new(Module(Small with { Channels = 2, Bottleneck = 2 }), 0.5, narrow),
            new(Module(Small with { HeadScale = 0.125f }), 1.0, wide),
        ];

    private static byte[] Saved(Action<string> save)
    {
        var path = Path.Combine(Path.GetTempPath(), $"nam_writer_case_{Guid.NewGuid():N}.nam");
        try
        {
            save(path);
            return File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The checkpoint's metadata entry (AmpCheckpoint.Metadata is internal; the generator reaches it by reflection too).</summary>
    private static byte[] CheckpointTrainingData(NamTrainingData data)
    {
        var metadata =
            (Dictionary<string, string>)
                typeof(AmpCheckpoint)
                    .GetMethod("Metadata", BindingFlags.NonPublic | BindingFlags.Static)!
                    .Invoke(null, [48_000, data, 1.0])!;
        return Encoding.UTF8.GetBytes(metadata["training_data"]);
    }
}
