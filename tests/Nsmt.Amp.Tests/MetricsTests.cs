using System.Text.Json;
using Nsmt.Amp.Evaluation;

namespace Nsmt.Amp.Tests;

/// <summary>Error measures against hand-worked examples and numpy/PyTorch golden values.</summary>
public sealed class MetricsTests
{
    // t = [1, -1, 1, -1], y = [0.9, -1.1, 1, -0.8]: errors 0.1, 0.1, 0, 0.2 (worked by hand below).
    private static readonly float[] HandTarget = [1f, -1f, 1f, -1f];
    private static readonly float[] HandPrediction = [0.9f, -1.1f, 1f, -0.8f];

    [Fact]
    public void Hand_worked_example()
    {
        // sum e^2 = 0.01 + 0.01 + 0 + 0.04 = 0.06; sum t^2 = 4.
        Assert.Equal(0.015, Metrics.Esr(HandPrediction, HandTarget), 6);
        Assert.Equal(0.015 / (1 + 1e-8), Metrics.EsrPooled(HandPrediction, HandTarget), 6);
        Assert.Equal(0.015, Metrics.Mse(HandPrediction, HandTarget), 6);
        Assert.Equal(Math.Sqrt(0.015), Metrics.Rmse(HandPrediction, HandTarget), 6);
        Assert.Equal(10 * Math.Log10(4 / 0.06), Metrics.SnrDb(HandPrediction, HandTarget), 5);
        // Means are 0 and 0; cov = 3.8, var t = 4, var y = 0.81 + 1.21 + 1 + 0.64 = 3.66.
        Assert.Equal(3.8 / Math.Sqrt(4 * 3.66), Metrics.Pearson(HandPrediction, HandTarget), 6);
        Assert.Equal(10 * Math.Log10(0.015), Metrics.ResidualRmsDbfs(HandPrediction, HandTarget), 5);
        Assert.Equal(0, Metrics.DcError(HandPrediction, HandTarget), 12);
    }

    [Fact]
    public void Per_item_and_pooled_esr_are_different_conventions()
    {
        // Item 1 perfect (t = 2, 2), item 2 all wrong (t = 1, 1; y = 0, 0).
        float[] target = [2f, 2f, 1f, 1f];
        float[] prediction = [2f, 2f, 0f, 0f];

        Assert.Equal(0.5, Metrics.EsrPerItemMean(prediction, target, 2), 12); // (0 + 1) / 2
        Assert.Equal(0.2, Metrics.Esr(prediction, target), 12); // 2 / 10
        Assert.Equal(0.5 / (2.5 + 1e-8), Metrics.EsrPooled(prediction, target), 12);
    }

    [Fact]
    public void Golden_values_from_numpy_and_torch()
    {
        using var json = JsonDocument.Parse(
            File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "amp_metrics.json"))
        );
        var expected = json.RootElement;
        var (prediction, target) = FixtureSignals(expected.GetProperty("n").GetInt32());
        double Get(string name) => expected.GetProperty(name).GetDouble();

        // The signals are rebuilt from the script's formula; check they are the script's floats.
        Assert.Equal(
            expected
                .GetProperty("first_samples")
                .GetProperty("prediction")
                .EnumerateArray()
                .Select(e => (float)e.GetDouble()),
            prediction.Take(4)
        );
        Assert.Equal(
            expected
                .GetProperty("first_samples")
                .GetProperty("target")
                .EnumerateArray()
                .Select(e => (float)e.GetDouble()),
            target.Take(4)
        );
        AssertRelative(Get("esr_nam"), Metrics.Esr(prediction, target), 1e-6);
        AssertRelative(Get("esr_per_item_mean_1000"), Metrics.EsrPerItemMean(prediction, target, 1000), 1e-6);
        AssertRelative(Get("esr_pooled"), Metrics.EsrPooled(prediction, target), 1e-6);
        AssertRelative(Get("mse"), Metrics.Mse(prediction, target), 1e-6);
        AssertRelative(Get("rmse"), Metrics.Rmse(prediction, target), 1e-6);
        AssertRelative(Get("snr_db"), Metrics.SnrDb(prediction, target), 1e-6);
        AssertRelative(Get("pearson"), Metrics.Pearson(prediction, target), 1e-6);
        AssertRelative(Get("residual_rms_dbfs"), Metrics.ResidualRmsDbfs(prediction, target), 1e-6);
        AssertRelative(Get("dc_error"), Metrics.DcError(prediction, target), 1e-5);
        AssertRelative(Get("mrstft"), Metrics.MultiResolutionStft(prediction, target), 1e-6);
    }

    [Theory]
    [InlineData(0.0099, "great")]
    [InlineData(0.01, "not bad")]
    [InlineData(0.0349, "not bad")]
    [InlineData(0.035, "might sound ok")]
    [InlineData(0.1, "probably won't sound great")]
    [InlineData(0.3, "something went wrong")]
    [InlineData(double.NaN, "something went wrong")]
    public void Quality_grades_follow_nam_thresholds(double esr, string grade) =>
        Assert.Equal(grade, Nsmt.Outputs.NamGrades.Of(esr));

    [Theory]
    [InlineData(0.951, "excellent")]
    [InlineData(0.95, "very good")]
    [InlineData(0.85, "good")]
    [InlineData(0.75, "fair")]
    [InlineData(0.7, "poor")]
    public void Correlation_grades_follow_the_seed(double r, string grade) =>
        Assert.Equal(grade, Metrics.CorrelationGrade(r));

    [Fact]
    public void Edge_cases_are_defined_and_mismatched_lengths_refused()
    {
        float[] silence = [0f, 0f, 0f];
        float[] something = [0f, 0.5f, 0f];

        Assert.Equal(0, Metrics.Esr(silence, silence));
        Assert.Equal(double.PositiveInfinity, Metrics.Esr(something, silence));
        Assert.Equal(double.PositiveInfinity, Metrics.SnrDb(HandTarget, HandTarget));
        Assert.True(double.IsNaN(Metrics.Pearson(silence, something)));
        Assert.Throws<ArgumentException>(() => Metrics.Esr(HandTarget, something));
    }

    /// <summary>The signals of tests/fixtures-gen/amp/make_metric_fixtures.py.</summary>
    private static (float[] Prediction, float[] Target) FixtureSignals(int n)
    {
        var target = new float[n];
        var prediction = new float[n];
        for (var i = 0; i < n; i++)
        {
            target[i] = (float)(
                (0.5 * Math.Sin(2 * Math.PI * 440 * i / 48000.0))
                + (0.2 * Math.Sin((2 * Math.PI * 1234.5 * i / 48000.0) + 0.3))
            );
            prediction[i] = (float)(
                (0.6 * Math.Tanh(1.5 * target[i])) + (0.01 * Math.Sin(2 * Math.PI * 7000 * i / 48000.0)) + 0.003
            );
        }

        return (prediction, target);
    }

    private static void AssertRelative(double expected, double actual, double tolerance) =>
        Assert.True(
            Math.Abs(actual - expected) <= tolerance * Math.Abs(expected),
            $"expected {expected:R}, got {actual:R} (relative error {Math.Abs(actual - expected) / Math.Abs(expected):G3})"
        );
}
