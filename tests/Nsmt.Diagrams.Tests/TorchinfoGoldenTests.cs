using static TorchSharp.torch;

namespace Nsmt.Diagrams.Tests;

/// <summary>Our trace of each model against the rows PyTorch's hooks give for the equivalent PyTorch model.</summary>
public class TorchinfoGoldenTests
{
    [Theory]
    [InlineData("SimpleCnn")]
    [InlineData("VisionTransformer")]
    [InlineData("SimpleDenseNet")]
    public void Rows_match_the_PyTorch_reference(string name)
    {
        using var model = TestModels.Build(name);
        using var x = rand(1, 1, 32, 32);
        var trace = ModelTrace.Capture(model, x);
        var expected = TorchinfoReference.Rows(name);
        Assert.Equal(expected.Select(r => r.Path), trace.Layers.Select(l => l.Path));
        foreach (var (row, layer) in expected.Zip(trace.Layers))
        {
            var where = $"{name} row '{row.Path}'";
            Assert.True(row.Type == layer.TypeName, $"{where}: type {layer.TypeName}, PyTorch {row.Type}");
            Assert.True(
                (row.Depth, row.DepthIndex) == (layer.Depth, layer.DepthIndex),
                $"{where}: {layer.Depth}-{layer.DepthIndex}, PyTorch {row.Depth}-{row.DepthIndex}"
            );
            Assert.True(row.Container == (layer.Kind == LayerKind.Container), $"{where}: kind {layer.Kind}");
            Assert.True(row.Recursive == layer.IsRecursive, $"{where}: recursive {layer.IsRecursive}");
            Assert.True(row.Leaf == layer.IsLeaf, $"{where}: leaf {layer.IsLeaf}");
            Assert.True(
                row.NumParams == layer.NumParams,
                $"{where}: {layer.NumParams} params, PyTorch {row.NumParams}"
            );
            Assert.True(
                row.TrainableParams == layer.TrainableParams,
                $"{where}: {layer.TrainableParams} trainable, PyTorch {row.TrainableParams}"
            );
            Assert.True(
                row.LeftoverParams == layer.LeftoverParams(),
                $"{where}: leftover {layer.LeftoverParams()}, PyTorch {row.LeftoverParams}"
            );
            Assert.Equal(
                row.Output.Select(o => $"{o.Label}: [{string.Join(", ", o.Shape)}]"),
                layer.OutputShapes.Select(s => $"{s.Label}: {s.DimsText}")
            );
        }
    }

    [Theory]
    [InlineData("SimpleCnn")]
    [InlineData("VisionTransformer")]
    [InlineData("SimpleDenseNet")]
    public void Totals_match_the_PyTorch_reference(string name)
    {
        using var model = TestModels.Build(name);
        using var x = rand(1, 1, 32, 32);
        var statistics = TorchinfoStatistics.Of(ModelTrace.Capture(model, x));
        var expected = TorchinfoReference.TotalsOf(name);
        Assert.Equal(
            expected,
            new TorchinfoReference.Totals(
                statistics.TotalParams,
                statistics.TrainableParams,
                statistics.TotalMultAdds,
                statistics.InputBytes,
                statistics.ForwardBackwardBytes,
                statistics.ParamBytes
            )
        );
    }
}
