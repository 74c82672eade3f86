using System.Runtime.InteropServices;
using Nsmt.Torch.Native;

namespace Nsmt.Torch;

/// <summary>The torch namespace, named as in TorchSharp (torch.zeros, torch.nn.functional.relu, ...).</summary>
public static partial class torch
{
    public static readonly ScalarType float32 = ScalarType.Float32;
    public static readonly ScalarType float64 = ScalarType.Float64;
    public static readonly ScalarType int64 = ScalarType.Int64;
    public static readonly ScalarType int32 = ScalarType.Int32;
    public static readonly ScalarType uint8 = ScalarType.Byte;
    public static readonly ScalarType @bool = ScalarType.Bool;
    public static readonly ScalarType complex64 = ScalarType.ComplexFloat32;

    public static Device CPU => Device.CPU;
    public static Device CUDA => Device.CUDA;

    /// <summary>The libtorch version the shim was compiled against, e.g. "1.13.0".</summary>
    public static string __version__ => Marshal.PtrToStringUTF8(NativeMethods.nsmt_torch_version()) ?? "unknown";

    // ---- scopes and modes ----
    public static DisposeScope NewDisposeScope() => new();

    /// <summary>Disables gradient recording on this thread until disposed (<c>using (torch.no_grad()) ...</c>).</summary>
    public static IDisposable no_grad() => new GradModeScope(false);

    public static IDisposable enable_grad() => new GradModeScope(true);

    public static bool is_grad_enabled() => NativeMethods.nsmt_grad_enabled() == 1;

    private sealed class GradModeScope : IDisposable
    {
        private readonly int previous;
        private bool disposed;

        public GradModeScope(bool enabled)
        {
            previous = NativeMethods.nsmt_grad_enabled();
            NativeMethods.nsmt_set_grad_enabled(enabled ? 1 : 0);
        }

        public void Dispose()
        {
            if (disposed)
                return;
            disposed = true;
            NativeMethods.nsmt_set_grad_enabled(previous);
        }
    }

    // ---- RNG, threads, determinism ----
    /// <summary>Seeds the default CPU generator (and CUDA's), like torch.manual_seed.</summary>
    public static void manual_seed(long seed)
    {
        Check.Status(NativeMethods.nsmt_manual_seed(unchecked((ulong)seed)));
        Check.Status(NativeMethods.nsmt_cuda_manual_seed_all(unchecked((ulong)seed)));
    }

    /// <summary>The CPU generator's full state (a uint8 tensor), for exact resume.</summary>
    public static Tensor get_rng_state() => Tensor.Wrap(NativeMethods.nsmt_rng_get_state());

    public static void set_rng_state(Tensor state) => Check.Status(NativeMethods.nsmt_rng_set_state(state.Handle));

    public static void set_num_threads(int threads)
    {
        if (threads < 1)
            throw new ArgumentOutOfRangeException(nameof(threads), threads, "thread count must be at least 1");
        Check.Status(NativeMethods.nsmt_set_num_threads(threads));
    }

    public static int get_num_threads() => NativeMethods.nsmt_get_num_threads();

    public static void use_deterministic_algorithms(bool on = true) => Check.Status(NativeMethods.nsmt_set_deterministic(on ? 1 : 0));

    public static class cuda
    {
        public static bool is_available() => NativeMethods.nsmt_cuda_is_available() == 1;
        public static int device_count() => NativeMethods.nsmt_cuda_device_count();
        public static void synchronize() => Check.Status(NativeMethods.nsmt_cuda_synchronize());
        public static void manual_seed_all(long seed) => Check.Status(NativeMethods.nsmt_cuda_manual_seed_all(unchecked((ulong)seed)));
    }
}
