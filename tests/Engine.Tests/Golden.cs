using System.Globalization;
using Nsmt.Neural;
using Nsmt.Neural.IO;

namespace Engine.Tests;

/// <summary>Golden tensors computed by PyTorch (tests/fixtures-gen/torch/make_fixtures.py).</summary>
internal static class Golden
{
    private static readonly Lazy<(Dictionary<string, Tensor> tensors, Dictionary<string, string> numbers)> File = new(
        () =>
            SafeTensors.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "golden.safetensors"))
    );

    public static Tensor Get(string name) =>
        File.Value.tensors.TryGetValue(name, out var t)
            ? t
            : throw new KeyNotFoundException($"golden fixture has no tensor '{name}'");

    public static double Number(string name) => double.Parse(File.Value.numbers[name], CultureInfo.InvariantCulture);

    /// <summary>Asserts |actual - expected| <= atol + rtol*|expected| elementwise, naming the first offender.</summary>
    public static void AssertClose(
        Tensor expected,
        Tensor actual,
        double atol = 1e-5,
        double rtol = 1e-4,
        string? what = null
    )
    {
        Assert.Equal(expected.shape, actual.shape);
        using var e = expected.to(ScalarType.Float64);
        using var a = actual.detach().to(ScalarType.Float64);
        var ev = e.ToArray<double>();
        var av = a.ToArray<double>();
        for (var i = 0; i < ev.Length; i++)
        {
            var tolerance = atol + rtol * Math.Abs(ev[i]);
            if (!(Math.Abs(ev[i] - av[i]) <= tolerance))
            {
                Assert.Fail(
                    $"{what ?? "tensor"}: element {i} is {av[i]:R}, PyTorch gives {ev[i]:R} (tolerance {tolerance:G3})"
                );
            }
        }
    }

    public static void AssertClose(string expectedName, Tensor actual, double atol = 1e-5, double rtol = 1e-4) =>
        AssertClose(Get(expectedName), actual, atol, rtol, expectedName);

    public static void AssertEqual(Tensor expected, Tensor actual, string? what = null) =>
        AssertClose(expected, actual, 0, 0, what);
}
