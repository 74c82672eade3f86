using Nsmt.Spectral.Models;

namespace Nsmt.Diagrams.Tests;

/// <summary>Every spectral architecture at small settings, with the simple_saw heads (3 and 24 classes).</summary>
internal static class TestModels
{
    public static readonly HeadSpec[] SimpleSawHeads = [new("note_velocity", 3), new("log10_decay_time", 24)];

    public static readonly string[] Names =
    [
        "SimpleCnn",
        "VisionTransformer",
        "ConvNeXtV2",
        "SimpleDenseNet",
        "SimpleMlp",
        "SimpleEfficientNet",
    ];

    /// <summary>Small settings for a 1x32x32 input (cnn_micro, vit_micro, ConvNeXt tiny, the dense nets on 1024 inputs, B0).</summary>
    public static MultiheadNetwork Build(string name, HeadKind kind = HeadKind.Classification) =>
        name switch
        {
            "SimpleCnn" => new SimpleCnn(new SimpleCnnOptions(1, 8, 16, 32, 0.2, 32), SimpleSawHeads, kind),
            "VisionTransformer" => new VisionTransformer(
                new VisionTransformerOptions(1, 32, 32, 8, 32, 2, 4, 2, 0.2),
                SimpleSawHeads,
                kind
            ),
            "ConvNeXtV2" => new ConvNeXtV2(ConvNeXtV2Options.Tiny(), SimpleSawHeads, kind),
            "SimpleDenseNet" => new SimpleDenseNet(new DenseOptions(1024, 64, 128, 64), SimpleSawHeads, kind),
            "SimpleMlp" => new SimpleMlp(new DenseOptions(1024, 32, 32, 16), SimpleSawHeads, kind),
            "SimpleEfficientNet" => new SimpleEfficientNet(new EfficientNetOptions(1), SimpleSawHeads, kind),
            _ => throw new ArgumentException($"unknown test model {name}", nameof(name)),
        };
}
