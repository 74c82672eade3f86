using Nsmt.Neural;
using Nsmt.Neural.IO;
using Nsmt.Spectral.Training.Losses;
using static TorchSharp.torch;

namespace Nsmt.Spectral.Training.Tests;

/// <summary>Each output mode's loss and gradient against the PyTorch restatement of NSMT's losses.</summary>
public class HeadLossTests
{
    private static readonly Lazy<Dictionary<string, Tensor>> Fixture = new(() =>
        SafeTensors.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "losses.safetensors")).tensors
    );

    private static Tensor Get(string name) => Fixture.Value[name];

    private static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        var e = expected.to(float64).ToArray<double>();
        var a = actual.detach().to(float64).ToArray<double>();
        Assert.Equal(e.Length, a.Length);
        for (var i = 0; i < e.Length; i++)
        {
            Assert.True(
                Math.Abs(e[i] - a[i]) <= 1e-12 + 1e-9 * Math.Abs(e[i]),
                $"{what}[{i}]: {a[i]:R}, expected {e[i]:R}"
            );
        }
    }

    public static TheoryData<string, string> Cases =>
        new()
        {
            { "ordinal_l1", "logits" },
            { "ordinal_huber", "logits" },
            { "quantized", "quant_out" },
            { "normalized_l2", "scalar_out" },
            { "normalized_huber", "scalar_out" },
            { "weighted_ce", "logits" },
            { "soft_triangular", "logits" },
            { "soft_gaussian", "logits" },
            { "soft_log_triangular", "logits" },
        };

    private static IHeadLoss Make(string name) =>
        name switch
        {
            "ordinal_l1" => new OrdinalRegressionLoss(3.0, Distance.L1),
            "ordinal_huber" => new OrdinalRegressionLoss(3.0, Distance.Huber),
            "quantized" => new QuantizedRegressionLoss(7, 3.0),
            "normalized_l2" => new NormalizedRegressionLoss(-2.0, 0.4, 7, Distance.L2),
            "normalized_huber" => new NormalizedRegressionLoss(-2.0, 0.4, 7, Distance.Huber),
            "weighted_ce" => new WeightedCrossEntropyLoss(),
            "soft_triangular" => new SoftTargetLoss(SoftTargetShape.Triangular),
            "soft_gaussian" => new SoftTargetLoss(SoftTargetShape.Gaussian),
            _ => new SoftTargetLoss(SoftTargetShape.LogTriangular),
        };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Loss_and_gradient_match_the_reference(string name, string input)
    {
        using var scope = NewDisposeScope();
        var x = Get(input).clone().requires_grad_();
        var loss = Make(name).Loss(x, Get("classes"));
        AssertClose(Get($"{name}.loss"), loss.reshape(1), name);
        loss.backward();
        AssertClose(Get($"{name}.grad"), x.grad!, name + " gradient");
    }

    [Fact]
    public void Soft_targets_are_the_normalised_windows_around_the_true_class()
    {
        using var scope = NewDisposeScope();
        foreach (
            var (shape, key) in new[]
            {
                (SoftTargetShape.Triangular, "triangular"),
                (SoftTargetShape.Gaussian, "gaussian"),
                (SoftTargetShape.LogTriangular, "log_triangular"),
            }
        )
        {
            AssertClose(Get($"soft_{key}.target"), new SoftTargetLoss(shape).Targets(Get("classes"), 7, float64), key);
        }
    }

    [Fact]
    public void Predictions_follow_each_output_mode()
    {
        using var scope = NewDisposeScope();
        // Logits peaked at class 4 of 7: argmax and the ordinal expectation both give 4.
        var logits = tensor(new float[] { -9, -9, -9, -9, 9, -9, -9 }, [1, 7]);
        Assert.Equal(4, new CrossEntropyLoss().PredictClasses(logits).item<long>());
        Assert.Equal(4, new OrdinalRegressionLoss(1).PredictClasses(logits).item<long>());
        Assert.Equal(
            6,
            new QuantizedRegressionLoss(7, 1).PredictClasses(tensor(new float[] { 9.3f }, [1, 1])).item<long>()
        );
        var regression = new NormalizedRegressionLoss(-2.0, 0.4, 7);
        Assert.Equal(3, regression.PredictClasses(tensor(new float[] { 0.5f }, [1, 1])).item<long>());
        Assert.Equal(-0.8, regression.PredictValues(tensor(new double[] { 0.5 }, [1, 1])).item<double>(), 12);
    }
}
