using Nsmt.Neural.Engine;

namespace Nsmt.Neural.Kernels;

/// <summary>
/// When the SIMD kernels (<see cref="SimdConv1d"/>, <see cref="SimdConv2d"/>, <see cref="SimdBatchNorm2d"/>,
/// <see cref="SimdMaxPool2d"/>) run instead of libtorch: the rule every model that calls them follows.
/// </summary>
public static class KernelChoice
{
    /// <summary>
    /// <paramref name="requested"/> where set; otherwise exactly where oneDNN is off. The kernels were written for the
    /// CPUs where the engine self-check switches oneDNN off (issue 29), where libtorch is left with im2col + GEMM convs,
    /// and are measured there against it and PyTorch. On a CPU whose oneDNN passed the self-check, libtorch's own paths
    /// stay (its oneDNN convs, which the kernels have not been measured against on such a CPU), so healthy CPUs run
    /// exactly as before.
    /// </summary>
    public static bool Resolve(bool? requested) => requested ?? !EngineGuard.OneDnnActive;
}
