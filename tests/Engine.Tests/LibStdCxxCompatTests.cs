using System.Reflection;
using Nsmt.Build;

namespace Engine.Tests;

/// <summary>
/// The build step that lets TorchSharp's GCC 13 wrapper load on GCC 12's libstdc++ (build/LibStdCxxCompat). Tested on
/// the real libLibTorchSharp.so from the NuGet cache (never the patched copy in our output).
/// </summary>
public class LibStdCxxCompatTests
{
    private static string PackagedLibrary()
    {
        var root = typeof(LibStdCxxCompatTests)
            .Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "NuGetPackageRoot")
            .Value!;
        return Path.Combine(root, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
    }

    private static byte[] Library() => File.ReadAllBytes(PackagedLibrary());

    private static HashSet<string> NeededFromLibStdCxx(byte[] image)
    {
        // Everything the library asks of libstdc++ counts as available: then nothing may change.
        var all = new HashSet<string>(StringComparer.Ordinal);
        for (var major = 0; major <= 40; major++)
        {
            all.Add($"GLIBCXX_3.4.{major}");
            all.Add($"CXXABI_1.3.{major}");
        }
        all.Add("GLIBCXX_3.4");
        all.Add("CXXABI_1.3");
        return all;
    }

    [Fact]
    public void Only_the_missing_version_is_marked_weak_and_only_its_flag_byte_changes()
    {
        var original = Library();
        var available = NeededFromLibStdCxx(original);
        available.Remove("GLIBCXX_3.4.32");
        var result = LibStdCxxCompat.WeakenMissingVersions(original, available);
        Assert.Equal(["GLIBCXX_3.4.32"], result.Weakened);
        var changed = Enumerable.Range(0, original.Length).Where(i => original[i] != result.Image[i]).ToArray();
        Assert.Single(changed);
        Assert.Equal(0, original[changed[0]] & 0x2);
        Assert.Equal(0x2, result.Image[changed[0]] & 0x2);
    }

    [Fact]
    public void Nothing_changes_where_the_system_defines_every_version()
    {
        var original = Library();
        var result = LibStdCxxCompat.WeakenMissingVersions(original, NeededFromLibStdCxx(original));
        Assert.Empty(result.Weakened);
        Assert.Equal(original, result.Image);
    }

    [Fact]
    public void A_missing_version_that_a_relocation_binds_is_refused_naming_the_symbol()
    {
        // GLIBCXX_3.4.21 carries std::__cxx11 string symbols that the library really calls.
        var original = Library();
        var available = NeededFromLibStdCxx(original);
        available.Remove("GLIBCXX_3.4.21");
        var error = Assert.Throws<ElfPatchException>(() => LibStdCxxCompat.WeakenMissingVersions(original, available));
        Assert.Contains("GLIBCXX_3.4.21", error.Message);
        Assert.Contains("GCC 13", error.Message);
    }

    [Fact]
    public void The_system_libstdcxx_is_found_and_its_versions_read()
    {
        var system = LibStdCxxCompat.FindSystemLibStdCxx();
        Assert.NotNull(system);
        var versions = LibStdCxxCompat.DefinedVersions(File.ReadAllBytes(system));
        // Every libstdc++ since GCC 5 defines these (the ABI of std::__cxx11::string).
        Assert.Contains("GLIBCXX_3.4.21", versions);
        Assert.Contains("CXXABI_1.3.9", versions);
    }

    [Fact]
    public void The_copy_in_our_output_loads_with_the_system_libstdcxx()
    {
        // The build patched (or, on a newer system, left alone) the copy next to this assembly; TorchSharp loads it.
        using var scope = NewDisposeScope();
        Assert.Equal(6f, ones(2, 3).sum().item<float>());
        var copy = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        var system = LibStdCxxCompat.FindSystemLibStdCxx()!;
        var missing = LibStdCxxCompat.WeakenMissingVersions(
            File.ReadAllBytes(copy),
            LibStdCxxCompat.DefinedVersions(File.ReadAllBytes(system))
        );
        Assert.Equal(File.ReadAllBytes(copy), missing.Image); // already weak: a second patch changes nothing
    }

    [Fact]
    public void Not_an_elf_file_is_a_clear_error()
    {
        var error = Assert.Throws<ElfPatchException>(() =>
            LibStdCxxCompat.WeakenMissingVersions(new byte[100], new HashSet<string>())
        );
        Assert.Contains("not an ELF file", error.Message);
    }
}
