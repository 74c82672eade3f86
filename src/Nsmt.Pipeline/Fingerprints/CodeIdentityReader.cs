using System.Text.Json;
using Nsmt.Pipeline.Definition;
using Nsmt.Pipeline.Hashing;

namespace Nsmt.Pipeline.Fingerprints;

/// <summary>
/// Works out what a stage's program is made of. For a .NET stage project: the entry assembly, the assembly of every
/// project it references (from its .deps.json), its runtimeconfig, native libraries beside it,
/// and the versions of its packages.
/// </summary>
public sealed class CodeIdentityReader(WorkspaceHasher hasher)
{
    private readonly Dictionary<StageProgram, CodeIdentity> _cache = [];

    public CodeIdentity Read(Stage stage)
    {
        if (_cache.TryGetValue(stage.Program, out var known))
        {
            return known;
        }

        var identity = stage.Program switch
        {
            ProjectProgram p => ReadProject(stage, p),
            CommandProgram c => ReadCommand(stage, c),
            _ => throw new InvalidOperationException(),
        };
        _cache[stage.Program] = identity;
        return identity;
    }

    private CodeIdentity ReadCommand(Stage stage, CommandProgram program)
    {
        var identity = CodeIdentity.Empty;
        foreach (var file in program.CodeFiles)
        {
            var h = hasher.Hash(file);
            if (h.Kind == PathKind.Missing)
            {
                throw new PipelineException($"{stage.Origin}: stage {stage.Name}: code file {file} does not exist");
            }

            identity.Files[file] = h.Hash;
        }

        return identity;
    }

    private CodeIdentity ReadProject(Stage stage, ProjectProgram program)
    {
        var assembly = program.AssemblyPath;
        var outDir = assembly[..assembly.LastIndexOf('/')];
        var name = Path.GetFileNameWithoutExtension(assembly);
        if (!File.Exists(WorkspacePath.ToFull(hasher.Root, assembly)))
        {
            throw new ProgramNotBuiltException(
                stage.Name,
                $"stage {stage.Name}: program {program.ProjectDirectory} is not built ({assembly} is missing); "
                    + $"`dotnet cake` builds it, or: dotnet build {program.ProjectDirectory} -c Release"
            );
        }

        var identity = CodeIdentity.Empty;
        void AddFile(string fileName)
        {
            var h = hasher.Hash($"{outDir}/{fileName}");
            if (h.Kind != PathKind.File)
            {
                throw new ProgramNotBuiltException(
                    stage.Name,
                    $"stage {stage.Name}: {outDir}/{fileName} is missing; rebuild {program.ProjectDirectory}"
                );
            }

            identity.Files[fileName] = h.Hash;
        }

        AddFile($"{name}.dll");
        AddFile($"{name}.runtimeconfig.json");
        var depsFile = WorkspacePath.ToFull(hasher.Root, $"{outDir}/{name}.deps.json");
        if (File.Exists(depsFile))
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(depsFile));
            var libraries = doc.RootElement.GetProperty("libraries");
            foreach (var target in doc.RootElement.GetProperty("targets").EnumerateObject())
            {
                foreach (var lib in target.Value.EnumerateObject())
                {
                    var slash = lib.Name.IndexOf('/');
                    var libName = lib.Name[..slash];
                    var version = lib.Name[(slash + 1)..];
                    var type =
                        libraries.TryGetProperty(lib.Name, out var info) && info.TryGetProperty("type", out var t)
                            ? t.GetString() ?? ""
                            : "";
                    if (type == "package")
                    {
                        identity.Packages[libName] = version;
                    }
                    else if (type == "project" && lib.Value.TryGetProperty("runtime", out var runtime))
                    {
                        foreach (var asset in runtime.EnumerateObject())
                        {
                            AddFile(asset.Name[(asset.Name.LastIndexOf('/') + 1)..]);
                        }
                    }
                }
            }
        }

        foreach (
            var native in Directory
                .EnumerateFiles(WorkspacePath.ToFull(hasher.Root, outDir), "*.so")
                .Order(StringComparer.Ordinal)
        )
        {
            AddFile(Path.GetFileName(native));
        }

        return identity;
    }
}

/// <summary>A stage program has not been built yet (status reports it; run fails with how to build it).</summary>
public sealed class ProgramNotBuiltException(string stage, string message) : PipelineException(message)
{
    public string Stage { get; } = stage;
}
