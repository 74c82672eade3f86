using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Nsmt.Torch.Native;

/// <summary>
/// Loads the shim the first time any torch function runs. Before that it sets OMP_WAIT_POLICY=PASSIVE
/// in the native environment (libgomp reads it once, when libtorch loads; spin-waiting threads make
/// small models several times slower on a shared 2-core machine), and afterwards sets libtorch's
/// thread count to all cores (Debian's libtorch starts with one).
/// </summary>
internal static class NativeLoader
{
    private static readonly Lock Gate = new();
    private static IntPtr handle;

    // A library initializer is the one place that runs before the first DllImport is resolved.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() =>
        NativeLibrary.SetDllImportResolver(typeof(NativeLoader).Assembly, Resolve);

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetNativeEnvironment([MarshalAs(UnmanagedType.LPUTF8Str)] string name,
        [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != NativeMethods.Library)
            return IntPtr.Zero;
        lock (Gate)
        {
            if (handle != IntPtr.Zero)
                return handle;
            if (OperatingSystem.IsLinux())
                SetNativeEnvironment("OMP_WAIT_POLICY", "PASSIVE", overwrite: 0);
            handle = Load(assembly);
            ConfigureThreads();
            return handle;
        }
    }

    private static IntPtr Load(Assembly assembly)
    {
        var candidates = new[]
        {
            Path.Combine(AppContext.BaseDirectory, "libnsmt_torch.so"),
            Path.Combine(Path.GetDirectoryName(assembly.Location) ?? AppContext.BaseDirectory, "libnsmt_torch.so"),
        };
        foreach (var path in candidates)
        {
            if (File.Exists(path))
            {
                try
                {
                    return NativeLibrary.Load(path);
                }
                catch (DllNotFoundException e)
                {
                    throw new TorchException(
                        $"The native shim '{path}' exists but could not be loaded ({e.Message}). " +
                        "Is libtorch installed? On Debian: apt-get install -y libtorch-dev", e);
                }
            }
        }
        throw new TorchException(
            $"The native shim libnsmt_torch.so was not found next to the application ({AppContext.BaseDirectory}). " +
            "Build it with `dotnet build` (it needs CMake and libtorch: apt-get install -y cmake libtorch-dev, " +
            "or set TORCH_DIR to a libtorch distribution).");
    }

    private static unsafe void ConfigureThreads()
    {
        var requested = Environment.GetEnvironmentVariable("NSMT_NUM_THREADS");
        var threads = int.TryParse(requested, out var n) && n > 0 ? n : Environment.ProcessorCount;
        // Resolve has not returned yet, so call through the handle rather than a DllImport.
        var setThreads = (delegate* unmanaged<int, int>)NativeLibrary.GetExport(handle, "nsmt_set_num_threads");
        setThreads(threads);
    }
}
