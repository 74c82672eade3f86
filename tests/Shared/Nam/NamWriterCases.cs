using System.Text.Json;
using Nsmt.Amp.Architectures;
using Nsmt.Amp.Format;

namespace Nsmt.Tests.Shared;

/// <summary>
/// The <c>.nam</c> files Nsmt.Amp writes, for fixed models: each case names its golden (in the test project's
/// Fixtures/main-nam, written by main's writers through tests/fixtures-gen/nam) and writes the same model with
/// today's writer. The weights take values whose shortest round-trip text has every form (zero, negative zero,
/// exponents, subnormal, the largest float32, seven to nine digits), the metadata every field or a few.
/// </summary>
internal static class NamWriterCases
{
    /// <summary>Models built here (A1 WaveNet, LSTM, a 0.6 WaveNet in both key sets, with and without metadata).</summary>
    public static IReadOnlyList<(string Golden, Func<byte[]> Write)> Built() =>
        [
            ("a1_wavenet.nam", () => Serialize(WaveNet(null))),
            ("a1_wavenet_metadata.nam", () => Serialize(WaveNet(FullMetadata))),
            ("lstm.nam", () => Serialize(Lstm(null))),
            ("lstm_metadata.nam", () => Serialize(Lstm(FewFieldsMetadata))),
            ("extended_compact.nam", () => WriteExtended(Extended(null), WaveNetKeySet.Compact)),
            ("extended_complete.nam", () => WriteExtended(Extended(null), WaveNetKeySet.Complete)),
            ("extended_compact_metadata.nam", () => WriteExtended(Extended(FullMetadata), WaveNetKeySet.Compact)),
            ("extended_complete_metadata.nam", () =>
                WriteExtended(Extended(FewFieldsMetadata), WaveNetKeySet.Complete)
            ),
        ];

    /// <summary>
    /// NAM Core's 0.6/0.7 WaveNet examples (gating, FiLM, head1x1, grouped convs, slimmable arrays, a condition DSP,
    /// LeakyReLU/PReLU/LeakyHardtanh parameters) rewritten in both key sets; <paramref name="coreExamples"/> is
    /// ../shared/fixtures/nam/core-examples.
    /// </summary>
    public static IReadOnlyList<(string Golden, Func<byte[]> Write)> FromCoreExamples(string coreExamples) =>
        [
            .. new[] { "wavenet_a2_max", "wavenet_condition_dsp", "slimmable_wavenet" }.SelectMany(name =>
                Enum.GetValues<WaveNetKeySet>()
                    .Select(keys =>
                        (
                            $"core_{name}_{keys.ToString().ToLowerInvariant()}.nam",
                            (Func<byte[]>)(
                                () => WriteExtended(NamFile.Load(Path.Combine(coreExamples, $"{name}.nam")), keys)
                            )
                        )
                    )
            ),
        ];

    /// <summary>Every field of the metadata, training data included; strings that need escaping.</summary>
    public static readonly NamMetadata FullMetadata = new()
    {
        Date = new NamDate(2026, 12, 7, 16, 5, 3),
        Loudness = -18.25,
        Gain = 0.4375,
        Name = "Plexi \"crunch\" <1959> & café",
        ModeledBy = "nsmt",
        GearType = "amp",
        GearMake = "Marshall",
        GearModel = "1959 SLP",
        ToneType = "crunch",
        InputLevelDbu = 12.5,
        OutputLevelDbu = -3.0000000000000004,
        Training = new NamTrainingMetadata
        {
            Settings = new NamTrainingSettings { IgnoreChecks = false },
            Data = FullTrainingData,
            ValidationEsr = 0.012345678901234568,
        },
    };

    /// <summary>A training data record with every field (also what an amp checkpoint keeps).</summary>
    public static NamTrainingData FullTrainingData =>
        new()
        {
            Latency = new NamLatencyMetadata
            {
                Manual = 17,
                Calibration = new NamLatencyCalibration
                {
                    AlgorithmVersion = 1,
                    Delays = [15, 16, -2],
                    SafetyFactor = 1,
                    Recommended = 14,
                    Warnings = new NamLatencyWarnings
                    {
                        MatchesLookahead = false,
                        DisagreementTooHigh = true,
                        NotDetected = false,
                    },
                },
            },
            Checks = new NamDataChecks { Version = 3, Passed = true },
        };

    /// <summary>A few fields: the others left out, not written null.</summary>
    public static readonly NamMetadata FewFieldsMetadata = new()
    {
        Name = "few",
        Gain = 1,
        Training = new NamTrainingMetadata
        {
            Data = new NamTrainingData { Latency = new NamLatencyMetadata { Manual = 3 } },
        },
    };

    /// <summary>
    /// Fixed values with every form of float32 text, then integers times decimal scales (exact arithmetic, the same
    /// on every machine); the last is <paramref name="last"/> (a WaveNet's head_scale).
    /// </summary>
    public static float[] Weights(int count, float last)
    {
        float[] special =
        [
            0f,
            -0f,
            1f,
            -1.5f,
            0.1f,
            1f / 3,
            1e-8f,
            -2.5e-7f,
            float.Epsilon,
            float.MaxValue,
            123456.79f,
            16777216f,
            1e10f,
            -0.0001f,
        ];
        double[] scales = [1e-7, 1e-5, 1e-3, 0.1, 1, 10, 1000];
        var weights = new float[count];
        for (var i = 0; i < count; i++)
        {
            weights[i] = i < special.Length ? special[i] : (float)((((i * 7919L) % 2001) - 1000) * scales[i % 7]);
        }

        weights[^1] = last;
        return weights;
    }

    private static NamModel WaveNet(NamMetadata? metadata)
    {
        var config = new WaveNetConfig
        {
            LayerArrays =
            [
                new WaveNetLayerArrayConfig
                {
                    InputSize = 1,
                    Channels = 3,
                    HeadSize = 2,
                    KernelSize = 3,
                    Dilations = [1, 2, 4],
                    Gated = true,
                    HeadBias = false,
                },
                new WaveNetLayerArrayConfig
                {
                    InputSize = 3,
                    Channels = 2,
                    HeadSize = 1,
                    KernelSize = 2,
                    Dilations = [8],
                    Gated = false,
                    HeadBias = true,
                },
            ],
            HeadScale = 0.02f,
        };
        return new NamModel(config, Weights(config.ParameterCount, config.HeadScale), 48_000, metadata);
    }

    private static NamModel Lstm(NamMetadata? metadata)
    {
        var config = new LstmConfig { HiddenSize = 3, NumLayers = 2 };
        return new NamModel(config, Weights(config.ParameterCount, 0.5f), 44_100, metadata);
    }

    /// <summary>A 0.6 WaveNet whose compact form keeps per-layer lists and the non-default blocks.</summary>
    private static NamModel Extended(NamMetadata? metadata)
    {
        var leaky = new NamActivation { Kind = NamActivationKind.LeakyReLU, NegativeSlope = 0.01f };
        var config = new ExtendedWaveNetConfig
        {
            LayerArrays =
            [
                new ExtendedLayerArrayConfig
                {
                    InputSize = 1,
                    Channels = 3,
                    Bottleneck = 2,
                    KernelSizes = [3, 2],
                    Dilations = [1, 3],
                    Activations = [leaky, NamActivation.Tanh],
                    GatingModes = [GatingMode.None, GatingMode.None],
                    SecondaryActivations = [null, null],
                    HeadSize = 1,
                    HeadKernelSize = 2,
                    HeadBias = true,
                    Head1x1OutChannels = 3,
                },
            ],
            HeadScale = 0.25f,
        };
        return new NamModel(config, Weights(config.ParameterCount, config.HeadScale), 48_000, metadata, "0.6.0");
    }

    private static byte[] Serialize(NamModel model) => System.Text.Encoding.UTF8.GetBytes(NamFile.Serialize(model));

    private static byte[] WriteExtended(NamModel model, WaveNetKeySet keys)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            ExtendedWaveNetWriter.WriteModel(writer, model, keys);
        }

        return stream.ToArray();
    }
}
