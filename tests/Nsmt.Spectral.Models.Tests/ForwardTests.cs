using static TorchSharp.torch;

namespace Nsmt.Spectral.Models.Tests;

public class ForwardTests
{
    private static readonly HeadSpec[] Heads = [new("a", 3), new("b", 24)];

    public static TheoryData<string, int, int, int> Architectures =>
        new()
        {
            { "cnn", 1, 32, 32 },
            { "cnn", 3, 28, 28 },
            { "cnn", 1, 48, 48 },
            { "vit", 1, 32, 32 },
            { "vit", 1, 32, 64 },
            { "vit", 3, 48, 48 },
            { "convnext", 1, 32, 32 },
            { "convnext", 3, 64, 64 },
            { "dense", 1, 32, 32 },
            { "mlp", 2, 16, 16 },
            { "efficientnet", 1, 32, 32 },
        };

    private static MultiheadNetwork Build(
        string kind,
        int channels,
        int height,
        int width,
        HeadKind headKind,
        AuxiliaryOptions? aux = null
    ) =>
        kind switch
        {
            "cnn" => new SimpleCnn(new SimpleCnnOptions(channels, 8, 16, 32, 0.2, height), Heads, headKind, aux),
            "vit" => new VisionTransformer(
                new VisionTransformerOptions(channels, height, width, 8, 32, 2, 4, 2, 0.2),
                Heads,
                headKind,
                aux
            ),
            "convnext" => new ConvNeXtV2(ConvNeXtV2Options.Tiny(channels, height), Heads, headKind, aux),
            "dense" => new SimpleDenseNet(
                new DenseOptions(channels * height * width, 64, 128, 64),
                Heads,
                headKind,
                aux
            ),
            "mlp" => new SimpleMlp(new DenseOptions(channels * height * width, 32, 32, 16), Heads, headKind, aux),
            _ => new SimpleEfficientNet(new EfficientNetOptions(channels), Heads, headKind, aux),
        };

    [Theory]
    [MemberData(nameof(Architectures))]
    public void Every_architecture_gives_one_output_per_head_and_trains(
        string kind,
        int channels,
        int height,
        int width
    )
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        using var model = Build(kind, channels, height, width, HeadKind.Classification);
        var x = rand(4, channels, height, width);
        var outputs = model.forward(x, null);
        Assert.Equal(["a", "b"], outputs.Keys);
        Assert.Equal(new long[] { 4, 3 }, outputs["a"].shape);
        Assert.Equal(new long[] { 4, 24 }, outputs["b"].shape);

        // One optimisation step lowers the loss on the same batch: gradients reach every parameter.
        using var optimizer = optim.Adam(model.parameters(), lr: 1e-3);
        var targets = new Dictionary<string, Tensor>
        {
            ["a"] = tensor(new long[] { 0, 1, 2, 0 }),
            ["b"] = tensor(new long[] { 5, 7, 23, 0 }),
        };
        Tensor Loss() =>
            model
                .forward(x, null)
                .Select(kv => nn.functional.cross_entropy(kv.Value, targets[kv.Key]))
                .Aggregate((p, q) => p + q);
        model.eval(); // fixed batch-norm statistics and no dropout, so the two losses are comparable
        var before = Loss();
        before.backward();
        Assert.All(model.parameters(), p => Assert.NotNull(p.grad));
        optimizer.step();
        Assert.True(Loss().item<float>() < before.item<float>());
    }

    [Theory]
    [InlineData("cnn")]
    [InlineData("vit")]
    [InlineData("convnext")]
    public void Regression_variants_output_one_value_in_the_unit_interval(string kind)
    {
        using var scope = NewDisposeScope();
        using var model = Build(kind, 1, 32, 32, HeadKind.Regression);
        model.eval();
        var outputs = model.forward(randn(5, 1, 32, 32) * 10, null);
        foreach (var output in outputs.Values)
        {
            Assert.Equal(new long[] { 5, 1 }, output.shape);
            Assert.True(output.min().item<float>() >= 0 && output.max().item<float>() <= 1);
        }
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void Every_architecture_takes_auxiliary_inputs_beside_the_image(
        string kind,
        int channels,
        int height,
        int width
    )
    {
        using var scope = NewDisposeScope();
        manual_seed(2);
        using var model = Build(
            kind,
            channels,
            height,
            width,
            HeadKind.Classification,
            new AuxiliaryOptions(2, 8, 0.1)
        );
        model.eval();
        var x = rand(4, channels, height, width);
        var aux = randn(4, 2);
        var outputs = model.forward(x, aux);
        Assert.Equal(new long[] { 4, 24 }, outputs["b"].shape);
        // The scalars change the outputs, and the loss reaches the auxiliary branch's weights.
        Assert.False(outputs["b"].allclose(model.forward(x, aux * 3)["b"]));
        outputs.Values.Select(o => o.sum()).Aggregate((p, q) => p + q).backward();
        var branch = model
            .named_parameters()
            .Where(p => p.name.StartsWith("auxiliary_net.", StringComparison.Ordinal))
            .ToList();
        Assert.Equal(4, branch.Count); // two Linear layers, as the template's auxiliary_net.0 and .3
        Assert.All(branch, p => Assert.True(p.parameter.grad!.abs().sum().item<float>() > 0, p.name));
        // A network with auxiliary inputs refuses a batch without them (or of the wrong width), and one without refuses them.
        Assert.Throws<ArgumentException>(() => model.forward(x, null));
        Assert.Throws<ArgumentException>(() => model.forward(x, randn(4, 3)));
        using var plain = Build(kind, channels, height, width, HeadKind.Classification);
        Assert.Throws<ArgumentException>(() => plain.forward(x, aux));
    }

    [Fact]
    public void Heads_must_be_given_and_unique()
    {
        Assert.Throws<ArgumentException>(() => new SimpleCnn(new SimpleCnnOptions(), []));
        Assert.Throws<ArgumentException>(() => new SimpleCnn(new SimpleCnnOptions(), [new("x", 2), new("x", 3)]));
        Assert.Throws<ArgumentException>(() =>
            new VisionTransformer(new VisionTransformerOptions(ImageHeight: 30), Heads)
        );
    }
}
