// Makes TorchSharp's native wrapper load where the system libstdc++ is older than the one it was built with.
//
// TorchSharp 0.107's libLibTorchSharp.so is built with GCC 13 and records a version need on GLIBCXX_3.4.32 (for
// std::ios_base_library_init(), a symbol GCC 13's <iostream> references only so that the library's own stream
// initialisation gets linked; nothing calls it and no relocation refers to it). Debian 12's libstdc++ (GCC 12)
// stops at GLIBCXX_3.4.30, so the dynamic loader refuses the whole library. Marking exactly the missing version
// needs as weak (VER_FLG_WEAK, as the ELF gABI defines for optional versions) makes the loader accept it, and since
// no relocation binds a symbol of those versions, nothing can resolve to a missing definition. Any missing version
// that a relocation does need is refused with a clear error instead of being weakened.
//
// This file is compiled twice: by MSBuild's RoslynCodeTaskFactory as the build task (build/Torch.targets), and into
// tests/Build.Tests with NSMT_BUILD_TESTS defined, which leaves out the MSBuild wrapper.
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace Nsmt.Build
{
    /// <summary>What a patch changed: the versions marked weak (empty when the system already had every one).</summary>
    public sealed class LibStdCxxPatchResult
    {
        public LibStdCxxPatchResult(IReadOnlyList<string> weakened, byte[] image)
        {
            Weakened = weakened;
            Image = image;
        }

        public IReadOnlyList<string> Weakened { get; }
        public byte[] Image { get; }
    }

    public sealed class ElfPatchException : Exception
    {
        public ElfPatchException(string message)
            : base(message) { }
    }

    public static class LibStdCxxCompat
    {
        public const string LibStdCxxSoname = "libstdc++.so.6";
        private const uint ShtRela = 4,
            ShtDynsym = 11,
            ShtRel = 9;
        private const uint ShtGnuVerdef = 0x6ffffffd,
            ShtGnuVerneed = 0x6ffffffe,
            ShtGnuVersym = 0x6fffffff;
        private const ushort VerFlgWeak = 0x2;

        /// <summary>The version names (GLIBCXX_3.4.30, CXXABI_1.3.13, ...) that a shared library defines.</summary>
        public static HashSet<string> DefinedVersions(byte[] image)
        {
            var elf = new Elf(image);
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var section in elf.Sections.Where(s => s.Type == ShtGnuVerdef))
            {
                var entry = section.Offset;
                for (var i = 0; i < section.Info; i++)
                {
                    var auxCount = elf.U16(entry + 6);
                    var aux = entry + elf.U32(entry + 12);
                    for (var a = 0; a < auxCount; a++)
                    {
                        names.Add(elf.String(section.Link, elf.U32(aux)));
                        aux += elf.U32(aux + 4);
                    }
                    var next = elf.U32(entry + 16);
                    if (next == 0)
                    {
                        break;
                    }

                    entry += next;
                }
            }
            return names;
        }

        /// <summary>
        /// Returns a copy of <paramref name="image"/> in which every libstdc++ version need that
        /// <paramref name="available"/> lacks is marked weak. Throws when such a version is needed by a relocation.
        /// </summary>
        public static LibStdCxxPatchResult WeakenMissingVersions(byte[] image, ISet<string> available)
        {
            var elf = new Elf(image);
            var missing = new List<(string Name, ushort Index, long FlagsOffset)>();
            foreach (var section in elf.Sections.Where(s => s.Type == ShtGnuVerneed))
            {
                var need = section.Offset;
                for (var i = 0; i < section.Info; i++)
                {
                    var file = elf.String(section.Link, elf.U32(need + 4));
                    var auxCount = elf.U16(need + 2);
                    var aux = need + elf.U32(need + 8);
                    for (var a = 0; a < auxCount; a++)
                    {
                        var name = elf.String(section.Link, elf.U32(aux + 8));
                        if (file == LibStdCxxSoname && !available.Contains(name))
                        {
                            missing.Add((name, elf.U16(aux + 6), aux + 4));
                        }

                        aux += elf.U32(aux + 12);
                    }
                    var next = elf.U32(need + 12);
                    if (next == 0)
                    {
                        break;
                    }

                    need += next;
                }
            }
            var patched = (byte[])image.Clone();
            if (missing.Count == 0)
            {
                return new LibStdCxxPatchResult(Array.Empty<string>(), patched);
            }

            var bound = SymbolsBoundByRelocations(elf);
            foreach (var version in missing)
            {
                var needed = bound.Where(s => s.VersionIndex == version.Index).Select(s => s.Name).FirstOrDefault();
                if (needed != null)
                {
                    throw new ElfPatchException(
                        $"'{needed}' needs {version.Name}, which the system's {LibStdCxxSoname} does not define, and a relocation "
                            + "binds it: install a libstdc++ from GCC 13 or newer (for example Debian 13 or Ubuntu 24.04)"
                    );
                }

                var flags = elf.U16(version.FlagsOffset);
                patched[version.FlagsOffset] = (byte)((flags | VerFlgWeak) & 0xff);
                patched[version.FlagsOffset + 1] = (byte)((flags | VerFlgWeak) >> 8);
            }
            return new LibStdCxxPatchResult(missing.Select(m => m.Name).ToArray(), patched);
        }

        /// <summary>The dynamic symbols that some relocation refers to, with their version indices.</summary>
        private static List<(string Name, int VersionIndex)> SymbolsBoundByRelocations(Elf elf)
        {
            var dynsymIndex = elf.Sections.FindIndex(s => s.Type == ShtDynsym);
            if (dynsymIndex < 0)
            {
                return new List<(string, int)>();
            }

            var dynsym = elf.Sections[dynsymIndex];
            var versym = elf.Sections.FirstOrDefault(s => s.Type == ShtGnuVersym);
            var referenced = new HashSet<long>();
            foreach (
                var section in elf.Sections.Where(s => (s.Type == ShtRela || s.Type == ShtRel) && s.Link == dynsymIndex)
            )
            {
                var size = section.Type == ShtRela ? 24 : 16;
                for (var at = section.Offset; at + size <= section.Offset + section.Size; at += size)
                {
                    referenced.Add((long)(elf.U64(at + 8) >> 32));
                }
            }
            var result = new List<(string, int)>();
            foreach (var symbol in referenced.Where(s => s != 0))
            {
                var name = elf.String(dynsym.Link, elf.U32(dynsym.Offset + symbol * 24));
                var version = versym == null ? 1 : elf.U16(versym.Offset + symbol * 2) & 0x7fff;
                result.Add((name, version));
            }
            return result;
        }

        /// <summary>The libstdc++ this process loaded (what the dynamic loader resolves), else the usual places.</summary>
        public static string? FindSystemLibStdCxx()
        {
            try
            {
                foreach (var line in File.ReadLines("/proc/self/maps"))
                {
                    var at = line.IndexOf('/');
                    if (at >= 0 && line.EndsWith("/" + LibStdCxxSoname, StringComparison.Ordinal))
                    {
                        return line.Substring(at);
                    }
                }
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
            string[] usual =
            {
                "/usr/lib/x86_64-linux-gnu/" + LibStdCxxSoname,
                "/usr/lib/aarch64-linux-gnu/" + LibStdCxxSoname,
                "/usr/lib64/" + LibStdCxxSoname,
                "/usr/lib/" + LibStdCxxSoname,
                "/lib64/" + LibStdCxxSoname,
            };
            return usual.FirstOrDefault(File.Exists);
        }

        /// <summary>Patches <paramref name="libraryPath"/> in place (temporary file, then rename) when needed.</summary>
        public static IReadOnlyList<string> PatchInPlace(string libraryPath, string systemLibStdCxx)
        {
            var available = DefinedVersions(File.ReadAllBytes(systemLibStdCxx));
            var result = WeakenMissingVersions(File.ReadAllBytes(libraryPath), available);
            if (result.Weakened.Count == 0)
            {
                return result.Weakened;
            }
            // Rename over the target: the output copy may be a hard link into the NuGet cache, which must stay as it is.
            var temporary = libraryPath + ".patching";
            File.WriteAllBytes(temporary, result.Image);
            // netstandard2.0 (what MSBuild compiles inline tasks against) has no File.Move(..., overwrite).
            File.Delete(libraryPath);
            File.Move(temporary, libraryPath);
            return result.Weakened;
        }

        private sealed class Section
        {
            public uint Type;
            public long Offset;
            public long Size;
            public int Link;
            public uint Info;
        }

        /// <summary>Just enough of a 64-bit little-endian ELF reader for the version sections.</summary>
        private sealed class Elf
        {
            private readonly byte[] _image;

            public Elf(byte[] image)
            {
                this._image = image;
                if (image.Length < 64 || image[0] != 0x7f || image[1] != 'E' || image[2] != 'L' || image[3] != 'F')
                {
                    throw new ElfPatchException("not an ELF file");
                }

                if (image[4] != 2 || image[5] != 1)
                {
                    throw new ElfPatchException("only 64-bit little-endian ELF files are handled");
                }

                var sectionTable = (long)U64(0x28);
                var entrySize = U16(0x3a);
                var count = U16(0x3c);
                for (var i = 0; i < count; i++)
                {
                    var at = sectionTable + (long)i * entrySize;
                    Sections.Add(
                        new Section
                        {
                            Type = U32(at + 4),
                            Offset = (long)U64(at + 0x18),
                            Size = (long)U64(at + 0x20),
                            Link = (int)U32(at + 0x28),
                            Info = U32(at + 0x2c),
                        }
                    );
                }
            }

            public List<Section> Sections { get; } = new List<Section>();

            public ushort U16(long at) => (ushort)(Byte(at) | (Byte(at + 1) << 8));

            public uint U32(long at) => U16(at) | ((uint)U16(at + 2) << 16);

            public ulong U64(long at) => U32(at) | ((ulong)U32(at + 4) << 32);

            public string String(int sectionIndex, uint offset)
            {
                if (sectionIndex < 0 || sectionIndex >= Sections.Count)
                {
                    throw new ElfPatchException($"string table index {sectionIndex} out of range");
                }

                long start = Sections[sectionIndex].Offset + offset,
                    end = start;
                while (Byte(end) != 0)
                {
                    end++;
                }

                return Encoding.ASCII.GetString(_image, (int)start, (int)(end - start));
            }

            private byte Byte(long at) =>
                at >= 0 && at < _image.Length
                    ? _image[at]
                    : throw new ElfPatchException($"offset {at} lies outside the file");
        }
    }

#if !NSMT_BUILD_TESTS
    /// <summary>MSBuild task: patches the copied libLibTorchSharp.so in the build output when the system needs it.</summary>
    public sealed class PatchLibTorchSharpForSystemLibStdCxx : Microsoft.Build.Utilities.Task
    {
        [Microsoft.Build.Framework.Required]
        public string Library { get; set; } = "";

        public string SystemLibStdCxx { get; set; } = "";

        public override bool Execute()
        {
            var system = string.IsNullOrEmpty(SystemLibStdCxx)
                ? LibStdCxxCompat.FindSystemLibStdCxx()
                : SystemLibStdCxx;
            if (system == null || !File.Exists(Library))
                return true;
            try
            {
                var weakened = LibStdCxxCompat.PatchInPlace(Library, system);
                if (weakened.Count > 0)
                    Log.LogMessage(
                        Microsoft.Build.Framework.MessageImportance.High,
                        $"{Path.GetFileName(Library)}: {system} lacks {string.Join(", ", weakened)}; marked weak (see build/LibStdCxxCompat)"
                    );
                return true;
            }
            catch (Exception e) when (e is ElfPatchException || e is IOException)
            {
                Log.LogError($"{Library}: {e.Message}");
                return false;
            }
        }
    }
#endif
}
