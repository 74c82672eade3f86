using Nsmt.Neural;
using static TorchSharp.torch;

namespace Nsmt.Spectral.Models.Tests;

/// <summary>Parameter counts from the spec's tables (spectral-models.md), which were counted in NSMT with PyTorch.</summary>
public class ParameterCountTests
{
    private static readonly HeadSpec[] TenClasses = [new("digit", 10)];

    // simple_saw: note_velocity 126..127 step 0.5 (3 classes), log10_decay_time -2.0..0.3 step 0.1 (24 classes).
    private static readonly HeadSpec[] SimpleSaw =
    [
        HeadSpec.FromRange("note_velocity", 126, 127, 0.5),
        HeadSpec.FromRange("log10_decay_time", -2.0, 0.3, 0.1),
    ];

    private static long Count(Func<IReadOnlyList<HeadSpec>, nn.Module> build, HeadSpec[] heads)
    {
        using var model = build(heads);
        return model.NumberOfParameters();
    }

    [Fact]
    public void Simple_saw_heads_have_3_and_24_classes()
    {
        Assert.Equal(3, SimpleSaw[0].NumClasses);
        Assert.Equal(24, SimpleSaw[1].NumClasses);
    }

    [Theory]
    [InlineData(64, 128, 512, 0.5, 1_129_098, 1_137_819)] // cnn_64k
    [InlineData(8, 16, 32, 0.2, 9_850, 10_411)] // cnn_micro
    [InlineData(16, 32, 64, 0.3, 38_378, 39_483)] // cnn_tiny
    public void SimpleCnn_counts_match_the_spec(int c1, int c2, int fc, double dropout, long tenClass, long simpleSaw)
    {
        var options = new SimpleCnnOptions(1, c1, c2, fc, dropout, 32);
        Assert.Equal(tenClass, Count(h => new SimpleCnn(options, h), TenClasses));
        Assert.Equal(simpleSaw, Count(h => new SimpleCnn(options, h), SimpleSaw));
    }

    [Theory]
    [InlineData(8, 32, 2, 4, 2, 0.2, 21_162, 22_779)] // vit_micro
    [InlineData(4, 64, 3, 4, 2, 0.3, 110_602, 115_867)] // vit_tiny
    public void VisionTransformer_counts_match_the_spec(
        int patch,
        int embed,
        int layers,
        int heads,
        int mul,
        double dropout,
        long tenClass,
        long simpleSaw
    )
    {
        var options = new VisionTransformerOptions(1, 32, 32, patch, embed, layers, heads, mul, dropout);
        Assert.Equal(tenClass, Count(h => new VisionTransformer(options, h), TenClasses));
        Assert.Equal(simpleSaw, Count(h => new VisionTransformer(options, h), SimpleSaw));
    }

    [Theory]
    [InlineData("tiny", 18_002)]
    [InlineData("small", 73_402)]
    [InlineData("base", 288_118)]
    [InlineData("large", 724_938)]
    public void ConvNeXtV2_counts_match_the_spec(string size, long expected)
    {
        var options = size switch
        {
            "tiny" => ConvNeXtV2Options.Tiny(),
            "small" => ConvNeXtV2Options.Small(),
            "base" => ConvNeXtV2Options.Base(),
            _ => ConvNeXtV2Options.Large(),
        };
        Assert.Equal(expected, Count(h => new ConvNeXtV2(options, h), TenClasses));
    }

    [Fact]
    public void SimpleDenseNet_count_matches_the_spec() =>
        Assert.Equal(67_978, Count(h => new SimpleDenseNet(new DenseOptions(784, 64, 128, 64), h), TenClasses));

    [Fact]
    public void Regression_heads_have_one_output_each()
    {
        // cnn_micro regression on simple_saw: two heads Linear(32, 1) instead of 3 + 24 logits.
        var options = new SimpleCnnOptions(1, 8, 16, 32, 0.2, 32);
        Assert.Equal(
            10_411 - (33 * 27) + 33 * 2,
            Count(h => new SimpleCnn(options, h, HeadKind.Regression), SimpleSaw)
        );
    }
}
