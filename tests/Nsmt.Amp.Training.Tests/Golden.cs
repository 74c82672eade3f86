using Nsmt.Neural;
using Nsmt.Neural.IO;
using static TorchSharp.torch;

namespace Nsmt.Amp.Training.Tests;

/// <summary>PyTorch's values from tests/fixtures-gen/amp/make_fixtures.py.</summary>
internal static class Golden
{
    private static readonly Lazy<Dictionary<string, Tensor>> Tensors = new(() =>
        SafeTensors.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "amp_golden.safetensors")).tensors
    );

    public static Tensor Get(string name) =>
        Tensors.Value.TryGetValue(name, out var t)
            ? t
            : throw new KeyNotFoundException($"golden fixture has no tensor '{name}'");

    public static float[] Floats(string name) => Get(name).ToArray<float>();

    /// <summary>|actual - expected| &lt;= atol + rtol*|expected| elementwise, naming the first offender.</summary>
    public static void AssertClose(
        ReadOnlySpan<float> expected,
        ReadOnlySpan<float> actual,
        double atol,
        double rtol,
        string what
    )
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            var tolerance = atol + (rtol * Math.Abs(expected[i]));
            if (!(Math.Abs(expected[i] - actual[i]) <= tolerance))
            {
                Assert.Fail(
                    $"{what}: element {i} is {actual[i]:R}, expected {expected[i]:R} (tolerance {tolerance:G3})"
                );
            }
        }
    }

    public static void AssertClose(string expectedName, Tensor actual, double atol = 1e-6, double rtol = 1e-5)
    {
        var expected = Get(expectedName);
        Assert.Equal(expected.shape, actual.shape);
        using var a = actual.detach().contiguous();
        AssertClose(expected.ToArray<float>(), a.ToArray<float>(), atol, rtol, expectedName);
    }
}
