using System.Runtime.InteropServices;
using Nsmt.Pipeline.Definition;

namespace Nsmt.Pipeline.Fingerprints;

/// <summary>Versions of the tools a stage's results depend on besides its own code: the .NET runtime and libtorch.</summary>
public static partial class ToolVersions
{
    public static string DotNet => RuntimeInformation.FrameworkDescription;

    public static SortedDictionary<string, string> For(Stage stage, CodeIdentity code)
    {
        var tools = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (stage.Program is ProjectProgram)
        {
            tools["dotnet"] = DotNet;
        }

        // Only stages whose code loads TorchSharp depend on libtorch: upgrading it must not rerun Generate. The
        // libtorch backend package (libtorch-cpu-<os>-<arch>, libtorch-cuda-*) carries libtorch's version.
        var backend = code
            .Packages.Keys.Where(p => p.StartsWith("libtorch-", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .FirstOrDefault();
        if (backend is not null)
        {
            tools["libtorch"] = code.Packages[backend];
        }

        return tools;
    }
}
