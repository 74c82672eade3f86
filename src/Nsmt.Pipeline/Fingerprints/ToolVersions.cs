using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Nsmt.Pipeline.Definition;

namespace Nsmt.Pipeline.Fingerprints;

/// <summary>Versions of the tools a stage's results depend on besides its own code: the .NET runtime and libtorch.</summary>
public static partial class ToolVersions
{
    private static readonly Lazy<string> LibTorch = new(ReadLibTorchVersion);

    public static string DotNet => RuntimeInformation.FrameworkDescription;

    public static SortedDictionary<string, string> For(Stage stage, CodeIdentity code)
    {
        var tools = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (stage.Program is ProjectProgram)
        {
            tools["dotnet"] = DotNet;
        }

        // Only stages whose code loads the libtorch shim depend on libtorch: upgrading it must not rerun Generate.
        if (code.Files.Keys.Any(f => f.StartsWith("libnsmt_torch", StringComparison.Ordinal)))
        {
            tools["libtorch"] = LibTorch.Value;
        }

        return tools;
    }

    /// <summary>The version in libtorch's version.h, from TORCH_DIR or the system (Debian's libtorch-dev).</summary>
    private static string ReadLibTorchVersion()
    {
        string? torchDir = Environment.GetEnvironmentVariable("TORCH_DIR");
        string[] candidates =
        [
            .. torchDir is null ? Array.Empty<string>() : [Path.Combine(torchDir, "include/torch/csrc/api/include/torch/version.h")],
            "/usr/include/torch/csrc/api/include/torch/version.h",
        ];
        foreach (string header in candidates)
        {
            if (!File.Exists(header))
            {
                continue;
            }

            string text = File.ReadAllText(header);
            string Part(string name) => Regex.Match(text, $@"#define\s+TORCH_VERSION_{name}\s+(\d+)") is { Success: true } m ? m.Groups[1].Value : "?";
            return $"{Part("MAJOR")}.{Part("MINOR")}.{Part("PATCH")}";
        }

        return "unknown";
    }
}
