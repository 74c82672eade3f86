using System.Globalization;
using System.Runtime.InteropServices;

namespace Nsmt.Neural.Engine;

/// <summary>The real engine: libtorch's context switches and <see cref="KernelSelfCheck"/> on this CPU.</summary>
internal sealed class LibTorchEngine : IComputeEngine
{
    private readonly LibTorchContext? _context;

    private LibTorchEngine()
    {
        _context = LibTorchContext.Open();
        // libtorch consults NNPACK for float32 conv2d (with oneDNN on too); where it cannot start ("Unsupported
        // hardware") it warns on every convolution. Off there, from the start; results do not change.
        _context?.DisableNnpackWhereUnsupported();
        Description = $"{CpuName()}, libtorch {LibTorchVersion()}";
    }

    public static LibTorchEngine Instance { get; } = new();

    public string Description { get; }

    /// <summary>libtorch's context switches (null where they cannot be reached: <see cref="LibTorchContext.Unavailable"/>).</summary>
    internal LibTorchContext? Context => _context;

    public bool? OneDnnEnabled => _context?.OneDnnEnabled;

    public string? SwitchUnavailable => _context is null ? LibTorchContext.Unavailable : null;

    public void SetOneDnn(bool enabled)
    {
        if (_context is null)
        {
            return;
        }

        _context.OneDnnEnabled = enabled;
    }

    public IReadOnlyList<KernelMismatch> Check(out TimeSpan elapsed)
    {
        var (mismatches, time) = KernelSelfCheck.Run();
        elapsed = time;
        return mismatches;
    }

    /// <summary>The CPU's marketing name with its family and model (what tells Zen generations apart), where the OS says.</summary>
    internal static string CpuName()
    {
        var arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        if (OperatingSystem.IsWindows())
        {
            return Environment.GetEnvironmentVariable("PROCESSOR_IDENTIFIER") ?? arch;
        }

        if (!File.Exists("/proc/cpuinfo"))
        {
            return arch;
        }

        var fields = File.ReadLines("/proc/cpuinfo")
            .TakeWhile(l => l.Length > 0)
            .Select(l => l.Split(':', 2))
            .Where(p => p.Length == 2)
            .GroupBy(p => p[0].Trim())
            .ToDictionary(g => g.Key, g => g.First()[1].Trim());
        var name = fields.GetValueOrDefault("model name") ?? fields.GetValueOrDefault("Model") ?? arch;
        return fields.TryGetValue("cpu family", out var family) && fields.TryGetValue("model", out var model)
            ? string.Create(CultureInfo.InvariantCulture, $"{name} (family {family} model {model})")
            : name;
    }

    // torch.__version__ is libtorch's version (2.10.0.0); TorchSharp's own assembly version is 0.x.
    private static string LibTorchVersion() => string.Join('.', TorchSharp.torch.__version__.Split('.').Take(3));
}
