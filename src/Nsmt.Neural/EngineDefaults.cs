using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Nsmt.Neural;

/// <summary>
/// Process settings that must reach libtorch's OpenMP runtime before it starts. libgomp spin-waits between parallel
/// regions by default, which makes small models several times slower on a shared 2-core machine; PASSIVE makes idle
/// threads sleep. The variable has to be in the native environment (on Unix, .NET's Environment.SetEnvironmentVariable
/// does not reach getenv), and it is set only where the user has not chosen a policy.
/// </summary>
internal static partial class EngineDefaults
{
    // A library module initializer on purpose: it must run before any of our code touches TorchSharp.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Apply()
    {
        if (OperatingSystem.IsWindows() || Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is not null)
        {
            return;
        }

        _ = setenv("OMP_WAIT_POLICY", "PASSIVE", 0);
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int setenv(string name, string value, int overwrite);
}
