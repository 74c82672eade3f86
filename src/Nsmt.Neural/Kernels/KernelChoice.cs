using Nsmt.Neural.Engine;

namespace Nsmt.Neural.Kernels;

/// <summary>
/// When the SIMD kernels (<see cref="SimdConv1d"/>, <see cref="SimdConv2d"/>, <see cref="SimdMaxPool2d"/>) run instead
/// of libtorch: the rule every model that calls them follows.
/// </summary>
public static class KernelChoice
{
    /// <summary>
    /// <paramref name="requested"/> where set; otherwise exactly where oneDNN is off. The kernels replace libtorch paths
    /// that are slow only without oneDNN (im2col + GEMM convs, its plain CPU max pool; issue 29). On a CPU whose oneDNN
    /// passed the engine self-check, libtorch's oneDNN path stays (its JIT kernels, which the SIMD kernels are not
    /// measured against), so healthy CPUs run exactly as before.
    /// </summary>
    public static bool Resolve(bool? requested) => requested ?? !EngineGuard.OneDnnActive;
}
