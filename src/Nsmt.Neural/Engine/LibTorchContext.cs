using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Nsmt.Neural.Engine;

/// <summary>
/// libtorch's global switches (at::globalContext()) that TorchSharp 0.107 has no binding for: oneDNN (mkldnn),
/// NNPACK and deterministic algorithms (TorchSharp's use_deterministic_algorithms has no native side). They are C++ member functions exported by libtorch_cpu, reached by their mangled names: Itanium on Linux and
/// macOS, MSVC on Windows. A missing library or symbol is reported (<see cref="Unavailable"/>), never a crash.
/// </summary>
internal sealed unsafe class LibTorchContext
{
    private readonly IntPtr _context;
    private readonly delegate* unmanaged<IntPtr, byte, void> _setUserEnabledMkldnn;
    private readonly delegate* unmanaged<IntPtr, byte> _userEnabledMkldnn;
    private readonly delegate* unmanaged<IntPtr, byte, void> _setUserEnabledNnpack;
    private readonly delegate* unmanaged<byte> _nnpackAvailable;
    private readonly delegate* unmanaged<IntPtr, byte, byte, void> _setDeterministicAlgorithms;
    private readonly delegate* unmanaged<IntPtr, byte> _deterministicAlgorithms;
    private readonly delegate* unmanaged<IntPtr, byte, void> _setDeterministicCudnn;
    private readonly delegate* unmanaged<IntPtr, byte, void> _setFillUninitializedMemory;

    private LibTorchContext(IntPtr library, Symbols symbols)
    {
        var globalContext = (delegate* unmanaged<IntPtr>)NativeLibrary.GetExport(library, symbols.GlobalContext);
        _setUserEnabledMkldnn = (delegate* unmanaged<IntPtr, byte, void>)
            NativeLibrary.GetExport(library, symbols.SetUserEnabledMkldnn);
        _userEnabledMkldnn = (delegate* unmanaged<IntPtr, byte>)
            NativeLibrary.GetExport(library, symbols.UserEnabledMkldnn);
        // NNPACK's switches are optional: without them the warnings stay, the results do not change.
        if (
            NativeLibrary.TryGetExport(library, symbols.SetUserEnabledNnpack, out var setNnpack)
            && NativeLibrary.TryGetExport(library, symbols.NnpackAvailable, out var nnpack)
        )
        {
            _setUserEnabledNnpack = (delegate* unmanaged<IntPtr, byte, void>)setNnpack;
            _nnpackAvailable = (delegate* unmanaged<byte>)nnpack;
        }

        // Deterministic algorithms are optional too: without them trainer.deterministic is refused, naming the reason.
        if (
            TryExport(library, symbols.SetDeterministicAlgorithms, out var setDeterministic)
            && TryExport(library, symbols.DeterministicAlgorithms, out var deterministic)
            && TryExport(library, symbols.SetDeterministicCudnn, out var setCudnn)
        )
        {
            _setDeterministicAlgorithms = (delegate* unmanaged<IntPtr, byte, byte, void>)setDeterministic;
            _deterministicAlgorithms = (delegate* unmanaged<IntPtr, byte>)deterministic;
            _setDeterministicCudnn = (delegate* unmanaged<IntPtr, byte, void>)setCudnn;
        }

        // libtorch 2.1 and later only; older ones have no fill to switch off.
        if (TryExport(library, symbols.SetDeterministicFillUninitializedMemory, out var setFill))
        {
            _setFillUninitializedMemory = (delegate* unmanaged<IntPtr, byte, void>)setFill;
        }

        _context = globalContext();
    }

    /// <summary>The first of the candidate names (separated by '|': manglings differ by compiler version) that the library exports.</summary>
    private static bool TryExport(IntPtr library, string names, out IntPtr address)
    {
        foreach (var name in names.Split('|'))
        {
            if (NativeLibrary.TryGetExport(library, name, out address))
            {
                return true;
            }
        }

        address = IntPtr.Zero;
        return false;
    }

    /// <summary>Whether torch.use_deterministic_algorithms and cudnn.deterministic can be reached in this libtorch.</summary>
    public bool HasDeterminismSwitch => _setDeterministicAlgorithms != null;

    /// <summary>
    /// torch.use_deterministic_algorithms(value) (errors, not warnings, for an operation without a deterministic
    /// implementation) together with torch.backends.cudnn.deterministic = value, as Lightning's deterministic=True sets them,
    /// but without torch.utils.deterministic.fill_uninitialized_memory. That fill (on by default since libtorch 2.1) writes
    /// NaN into every tensor torch.empty makes, so that a program which reads memory it never wrote still repeats
    /// itself; ours write every element they read (the same weights with the fill on and off: EngineDeterminismTests), and
    /// the fill cost about 7% of a spectral CNN's training step (issue 29). PyTorch's documentation of the setting says to
    /// switch it off for speed where a program reads no uninitialised memory.
    /// </summary>
    public bool Deterministic
    {
        get => HasDeterminismSwitch && _deterministicAlgorithms(_context) != 0;
        set
        {
            if (!HasDeterminismSwitch)
            {
                throw new InvalidOperationException("this libtorch exports no deterministic-algorithms switch");
            }

            _setDeterministicAlgorithms(_context, value ? (byte)1 : (byte)0, 0);
            _setDeterministicCudnn(_context, value ? (byte)1 : (byte)0);
            if (_setFillUninitializedMemory != null)
            {
                _setFillUninitializedMemory(_context, 0);
            }
        }
    }

    /// <summary>Why the switches cannot be reached on this machine, when <see cref="Open"/> returned null.</summary>
    public static string? Unavailable { get; private set; }

    public bool OneDnnEnabled
    {
        get => _userEnabledMkldnn(_context) != 0;
        set => _setUserEnabledMkldnn(_context, value ? (byte)1 : (byte)0);
    }

    /// <summary>The process's libtorch context, or null (with <see cref="Unavailable"/> saying why).</summary>
    public static LibTorchContext? Open()
    {
        // TorchSharp loads libtorch on first use; the library must be the one it loaded, so load TorchSharp first.
        InitializeDeviceType(DeviceType.CPU);
        var symbols = OperatingSystem.IsWindows() ? Symbols.Msvc : Symbols.Itanium;
        string? tried = null;
        foreach (var candidate in LibraryCandidates())
        {
            if (!NativeLibrary.TryLoad(candidate, out var library))
            {
                tried = tried is null ? candidate : $"{tried}, {candidate}";
                continue;
            }

            try
            {
                return new LibTorchContext(library, symbols);
            }
            catch (EntryPointNotFoundException e)
            {
                Unavailable = $"{candidate} lacks a libtorch context symbol ({e.Message})";
                return null;
            }
        }

        Unavailable = $"libtorch_cpu was not found (tried {tried})";
        return null;
    }

    /// <summary>
    /// NNPACK is tried by CPU convolutions when oneDNN is off; where it cannot initialise ("Unsupported hardware") libtorch
    /// prints a warning on every convolution. Asking libtorch once whether it initialised prints that warning once more,
    /// so standard error is muted for the question (Unix); then NNPACK is switched off where it is unavailable.
    /// </summary>
    public bool DisableNnpackWhereUnsupported()
    {
        if (_nnpackAvailable == null)
        {
            return false;
        }

        bool available;
        using (StandardErrorMute.Begin())
        {
            available = _nnpackAvailable() != 0;
        }

        if (!available)
        {
            _setUserEnabledNnpack(_context, 0);
        }

        return !available;
    }

    private static IEnumerable<string> LibraryCandidates()
    {
        var file =
            OperatingSystem.IsWindows() ? "torch_cpu.dll"
            : OperatingSystem.IsMacOS() ? "libtorch_cpu.dylib"
            : "libtorch_cpu.so";
        var rid = RuntimeInformation.RuntimeIdentifier;
        var os =
            OperatingSystem.IsWindows() ? "win"
            : OperatingSystem.IsMacOS() ? "osx"
            : "linux";
        var arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        yield return Path.Combine(AppContext.BaseDirectory, "runtimes", $"{os}-{arch}", "native", file);
        yield return Path.Combine(AppContext.BaseDirectory, "runtimes", rid, "native", file);
        yield return Path.Combine(AppContext.BaseDirectory, file);
        yield return file;
    }

    /// <summary>The mangled names of at::globalContext() and the Context members used here.</summary>
    private sealed record Symbols(
        string GlobalContext,
        string SetUserEnabledMkldnn,
        string UserEnabledMkldnn,
        string SetUserEnabledNnpack,
        string NnpackAvailable,
        string SetDeterministicAlgorithms,
        string DeterministicAlgorithms,
        string SetDeterministicCudnn,
        string SetDeterministicFillUninitializedMemory
    )
    {
        public static readonly Symbols Itanium = new(
            "_ZN2at13globalContextEv",
            "_ZN2at7Context20setUserEnabledMkldnnEb",
            "_ZNK2at7Context17userEnabledMkldnnEv",
            "_ZN2at7Context20setUserEnabledNNPACKEb",
            "_ZN2at6native17_nnpack_availableEv",
            "_ZN2at7Context26setDeterministicAlgorithmsEbb",
            "_ZNK2at7Context23deterministicAlgorithmsEv",
            "_ZN2at7Context21setDeterministicCuDNNEb",
            "_ZN2at7Context39setDeterministicFillUninitializedMemoryEb"
        );

        public static readonly Symbols Msvc = new(
            "?globalContext@at@@YAAEAVContext@1@XZ",
            "?setUserEnabledMkldnn@Context@at@@QEAAX_N@Z",
            "?userEnabledMkldnn@Context@at@@QEBA_NXZ",
            "?setUserEnabledNNPACK@Context@at@@QEAAX_N@Z",
            "?_nnpack_available@native@at@@YA_NXZ",
            "?setDeterministicAlgorithms@Context@at@@QEAAX_N0@Z|?setDeterministicAlgorithms@Context@at@@QEAAX_N_N@Z",
            "?deterministicAlgorithms@Context@at@@QEBA_NXZ",
            "?setDeterministicCuDNN@Context@at@@QEAAX_N@Z",
            "?setDeterministicFillUninitializedMemory@Context@at@@QEAAX_N@Z"
        );
    }
}
