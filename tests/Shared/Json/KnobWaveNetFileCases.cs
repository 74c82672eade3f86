using Nsmt.Amp.Architectures;
using Nsmt.Amp.Format;
using Nsmt.Amp.Keras;
using Nsmt.Amp.Training.Export;
using Nsmt.Amp.Training.Modules;

namespace Nsmt.Tests.Shared;

/// <summary>
/// The knob WaveNet files <see cref="KnobWaveNetFile.Save"/> writes, for fixed modules: each case names its golden (in
/// Nsmt.Amp.Training.Tests' Fixtures/main-json, written by main's hand-written writer through
/// tests/fixtures-gen/keras-json) and saves the same module with today's writer. One knob and two (one name needing
/// escaping), with and without metadata, two sample rates; weights as <see cref="KerasWriterCases.Values"/> gives them.
/// </summary>
internal static class KnobWaveNetFileCases
{
    public static IReadOnlyList<(string Golden, Func<byte[]> Write)> All() =>
        [
            ("knob_wavenet_two_knobs.json", () => Saved([new("gain_db", 0, 18), new("mid_db", -4, 4)], 48000, null)),
            ("knob_wavenet_metadata.json", () => Saved([new("drive <é> \"x\"", -1.5, 2.25)], 44100, Metadata)),
        ];

    private static readonly NamMetadata Metadata = new()
    {
        Date = new NamDate(2026, 12, 7, 16, 5, 0),
        Loudness = -18.25,
        Name = "knob <amp>",
        ModeledBy = "nsmt",
        GearType = "amp",
        Training = new NamTrainingMetadata { ValidationEsr = 0.0123456789 },
    };

    /// <summary>Two arrays (3 then 2 channels, kernels 3 and 2; the knob WaveNet tests' module).</summary>
    public static KnobWaveNet SmallModule(IReadOnlyList<KnobRange> knobs) =>
        new(
            new WaveNetConfig
            {
                LayerArrays =
                [
                    new WaveNetLayerArrayConfig
                    {
                        InputSize = 1,
                        HeadSize = 2,
                        Channels = 3,
                        KernelSize = 3,
                        Dilations = [1, 2],
                        HeadBias = false,
                    },
                    new WaveNetLayerArrayConfig
                    {
                        InputSize = 3,
                        HeadSize = 1,
                        Channels = 2,
                        KernelSize = 2,
                        Dilations = [4, 1],
                        HeadBias = true,
                    },
                ],
                HeadScale = 0.02f,
            },
            knobs
        );

    private static byte[] Saved(IReadOnlyList<KnobRange> knobs, double sampleRate, NamMetadata? metadata)
    {
        using var module = SmallModule(knobs);
        var weights = KerasWriterCases.Values(KnobWaveNetFile.Weights(module).Length, knobs.Count);
        weights[^1] = module.HeadScale;
        KnobWaveNetFile.SetWeights(module, weights);
        var path = Path.Combine(Path.GetTempPath(), $"knob_wavenet_case_{Guid.NewGuid():N}.json");
        try
        {
            KnobWaveNetFile.Save(module, path, sampleRate, metadata);
            return File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
