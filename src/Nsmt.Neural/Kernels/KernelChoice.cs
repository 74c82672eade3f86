using System.Runtime.Intrinsics;
using Nsmt.Neural.Engine;

namespace Nsmt.Neural.Kernels;

/// <summary>
/// When the SIMD kernels run instead of libtorch: the rules every model that calls them follows, one for the
/// convolutions (<see cref="SimdConv1d"/>, <see cref="SimdConv2d"/>) and one for the batch norm and max pool
/// (<see cref="SimdBatchNorm2d"/>, <see cref="SimdMaxPool2d"/>), because libtorch computes the two kinds differently.
/// </summary>
public static class KernelChoice
{
    /// <summary>
    /// <paramref name="requested"/> where set; otherwise where oneDNN is off and the CPU has 256- or 512-bit vectors.
    /// libtorch's CPU convolutions are oneDNN's where it is on and im2col + GEMM where the engine self-check switched it
    /// off (issue 29); the conv kernels took 1.5-17x less CPU time than the latter on the costly layers at both vector
    /// widths (AmpTrainBench simdconv, simdconv2d). On a CPU whose oneDNN passed the self-check its convs stay: they
    /// were faster than <see cref="SimdConv2d"/> on the spectral CNNs (PyTorch's oneDNN on AMD Zen 5, bench/train-parity),
    /// and libtorch 2.10's correct oneDNN has not been measured against either kernel. The kernels' scalar form is not measured against libtorch's vectorised GEMM either.
    /// </summary>
    public static bool Convolutions(bool? requested) => requested ?? (!EngineGuard.OneDnnActive && WideVectors);

    /// <summary>
    /// <paramref name="requested"/> where set; otherwise wherever the CPU has 256- or 512-bit vectors. In training,
    /// libtorch runs batch norm and max pooling on its own native CPU kernels whatever oneDNN's state (the same times with
    /// it on and off), and these kernels took 1.9-2.7x (batch norm) and 5-13x (max pool) less CPU time than them at both
    /// vector widths (AmpTrainBench simdbatchnorm2d / simdmaxpool2d, bench/train-parity/RESULTS.md). Their scalar form,
    /// for CPUs without AVX, is not measured against libtorch's vectorised kernels, so libtorch keeps those CPUs.
    /// </summary>
    public static bool NormsAndPools(bool? requested) => requested ?? WideVectors;

    // The kernels' Vector256 and Vector512 forms are the measured ones.
    private static bool WideVectors => Vector256.IsHardwareAccelerated;
}
