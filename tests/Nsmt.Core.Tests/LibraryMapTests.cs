using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Nsmt.Core.Tests;

/// <summary>
/// The README's library map is the contract for the layout: every library under src/ has a row, and its project
/// references stay within what the row says it may use, so the map cannot silently drift from the code.
/// </summary>
public sealed partial class LibraryMapTests
{
    private static readonly string Root = FindRoot();

    [Fact]
    public void Every_library_has_a_row_in_the_readme_map_and_every_row_a_library()
    {
        var map = ReadMap();
        var libraries = Directory
            .GetDirectories(Path.Combine(Root, "src"))
            .Where(d => File.Exists(Path.Combine(d, Path.GetFileName(d) + ".csproj")))
            .Select(Path.GetFileName)
            .OfType<string>()
            .Order()
            .ToArray();
        Assert.Equal(libraries, map.Keys.Order().ToArray());
    }

    [Fact]
    public void Project_references_stay_within_what_the_map_allows()
    {
        var problems = new List<string>();
        foreach (var (library, allowed) in ReadMap())
        {
            var project = Path.Combine(Root, "src", library, library + ".csproj");
            if (!File.Exists(project))
            {
                continue;
            }

            foreach (var reference in ProjectReferences(project).Where(r => !allowed.Contains(r)))
            {
                problems.Add($"{library} references {reference}, which the README's map does not allow");
            }
        }

        Assert.Empty(problems);
    }

    [Fact]
    public void The_map_is_acyclic()
    {
        var map = ReadMap();
        var state = new Dictionary<string, int>(); // 1 = on the current path, 2 = done
        foreach (var library in map.Keys)
        {
            Visit(library, []);
        }

        void Visit(string library, List<string> path)
        {
            if (state.GetValueOrDefault(library) == 2)
            {
                return;
            }

            Assert.False(state.GetValueOrDefault(library) == 1, "cycle: " + string.Join(" -> ", path.Append(library)));
            state[library] = 1;
            foreach (var used in map.GetValueOrDefault(library) ?? [])
            {
                Visit(used, [.. path, library]);
            }

            state[library] = 2;
        }
    }

    [Fact]
    public void A_reference_outside_the_map_is_reported()
    {
        // The check above must be able to fail: a made-up project that references a library its row does not list.
        var dir = Directory.CreateTempSubdirectory("nsmt-map-").FullName;
        try
        {
            var project = Path.Combine(dir, "X.csproj");
            File.WriteAllText(
                project,
                """<Project><ItemGroup><ProjectReference Include="../Nsmt.Amp/Nsmt.Amp.csproj" /></ItemGroup></Project>"""
            );
            Assert.Equal(["Nsmt.Amp"], ProjectReferences(project));
            Assert.DoesNotContain("Nsmt.Amp", ReadMap()["Nsmt.Core"]);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Every_library_has_a_test_project_or_is_one_the_readme_says_its_users_test()
    {
        // The README's tests/ row: one project per library, except the thin ones it names as tested through their users.
        var readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        var row = readme.Split('\n').Single(l => l.StartsWith("| `tests/` |", StringComparison.Ordinal));
        var throughUsers = ReadmeName().Matches(row).Select(m => m.Groups[1].Value).ToHashSet();
        var testProjects = Directory.GetFiles(
            Path.Combine(Root, "tests"),
            "*.Tests.csproj",
            SearchOption.AllDirectories
        );
        var reachedNames = ReferenceClosure(testProjects);
        var problems = new List<string>();
        foreach (var library in ReadMap().Keys.Order())
        {
            var own = Directory.Exists(Path.Combine(Root, "tests", library + ".Tests"));
            if (own && throughUsers.Contains(library))
            {
                problems.Add($"{library} has tests/{library}.Tests, but the README says its users test it");
            }
            else if (!own && !throughUsers.Contains(library))
            {
                problems.Add($"{library} has no test project, and the README's tests/ row does not name it");
            }
            else if (!own && !reachedNames.Contains(library))
            {
                problems.Add($"{library}: no test project references it, directly or through its users");
            }
        }

        problems.AddRange(throughUsers.Where(n => !ReadMap().ContainsKey(n)).Select(n => $"{n} is not a library"));
        Assert.Empty(problems);
    }

    [Fact]
    public void Every_namespace_and_type_the_readme_names_exists()
    {
        // A `Nsmt.X.Y` in the README is a library, a namespace, or a type (and member) in a namespace: README drift
        // (a type documented in a library it left) fails here.
        var readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        var sources = new[] { "src", "stages" }.SelectMany(d => Sources(Path.Combine(Root, d))).ToList();
        var namespaces = DeclaredNamespaces(sources);
        var libraries = Directory
            .GetDirectories(Path.Combine(Root, "src"))
            .Select(Path.GetFileName)
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);

        bool Exists(string name)
        {
            if (libraries.Contains(name) || namespaces.Contains(name))
            {
                return true;
            }

            var parts = name.Split('.');
            for (var i = parts.Length - 1; i >= 2; i--)
            {
                var ns = string.Join('.', parts[..i]);
                if (namespaces.Contains(ns))
                {
                    return DeclaresType(sources, ns, parts[i]);
                }
            }

            return false;
        }

        var missing = ReadmeName()
            .Matches(readme)
            .Select(m => m.Groups[1].Value)
            .Distinct()
            .Where(n => !Exists(n))
            .ToList();
        Assert.Empty(missing);
    }

    [Fact]
    public void The_amp_engine_library_reaches_neither_plots_nor_the_tools()
    {
        // NAM Core's line (issue 28): what a plugin host links, Nsmt.Amp and all it references, draws no figures and
        // carries none of the tools around a model. The map's rows check direct references; this checks the closure.
        var reached = ReferenceClosure([Path.Combine(Root, "src", "Nsmt.Amp", "Nsmt.Amp.csproj")]);
        Assert.Contains("Nsmt.Audio", reached);
        Assert.DoesNotContain("Nsmt.Plots", reached);
        Assert.DoesNotContain("Nsmt.Outputs", reached);
        Assert.DoesNotContain("Nsmt.Amp.Tools", reached);
    }

    [Fact]
    public void No_namespace_is_declared_by_two_libraries()
    {
        // A namespace belongs to one assembly, so a reader who finds a type by its namespace knows which library holds
        // it and which map row names it. The amp split had left Nsmt.Amp.ReferenceAmp in both amp libraries.
        var sources = ReadMap()
            .Keys.Where(library => Directory.Exists(Path.Combine(Root, "src", library)))
            .ToDictionary(
                library => library,
                library => (IReadOnlyList<string>)[.. Sources(Path.Combine(Root, "src", library))]
            );
        Assert.Empty(SharedNamespaces(sources));
    }

    [Fact]
    public void A_namespace_declared_by_two_libraries_is_reported()
    {
        // The check above must be able to fail: two libraries declaring one namespace, each also one of its own.
        var sources = new Dictionary<string, IReadOnlyList<string>>
        {
            ["Nsmt.X"] = ["namespace Nsmt.X.Shared;\npublic sealed record Setting;", "namespace Nsmt.X;\nclass A;"],
            ["Nsmt.X.Tools"] =
            [
                "namespace Nsmt.X.Shared;\npublic sealed class Amp;",
                "namespace Nsmt.X.Tools;\nclass B;",
            ],
        };
        Assert.Equal(["Nsmt.X.Shared is declared by Nsmt.X and Nsmt.X.Tools"], SharedNamespaces(sources));
        sources.Remove("Nsmt.X.Tools");
        Assert.Empty(SharedNamespaces(sources));
    }

    [Fact]
    public void A_row_that_names_namespaces_names_exactly_those_its_library_declares()
    {
        // The two amp libraries share the Nsmt.Amp.* prefix, so their rows say which assembly holds which namespace.
        // A folder moved to the other library without its row, or a row naming what the library does not declare,
        // fails here.
        var libraries = MapRows().Select(r => r.Groups["name"].Value).ToHashSet(StringComparer.Ordinal);
        var problems = MapRows()
            .SelectMany(row =>
                NamespaceProblems(
                    row.Groups["name"].Value,
                    row.Groups["owns"].Value,
                    Sources(Path.Combine(Root, "src", row.Groups["name"].Value)).ToList(),
                    libraries
                )
            )
            .ToList();
        Assert.Empty(problems);
    }

    [Fact]
    public void A_namespace_its_row_does_not_name_or_a_type_it_lacks_is_reported()
    {
        // The check above must be able to fail: a library declaring a namespace its row leaves out, and a row naming a
        // type its library does not declare.
        string[] sources =
        [
            "namespace Nsmt.X.A;\npublic sealed class Kept;",
            "namespace Nsmt.X.B;\npublic sealed class Moved;",
        ];
        var problems = NamespaceProblems("Nsmt.X", "the `Nsmt.X.A` things and `Nsmt.X.A.Gone`", sources, ["Nsmt.X"]);
        Assert.Equal(
            [
                "the row of Nsmt.X names Nsmt.X.A.Gone, which Nsmt.X does not declare",
                "Nsmt.X declares Nsmt.X.B, which its row does not name",
            ],
            problems
        );
        Assert.Empty(NamespaceProblems("Nsmt.X", "no namespaces named", sources, ["Nsmt.X"]));
    }

    /// <summary>
    /// What is wrong between a row's "owns" text and its library's sources, where the row names namespaces (a row that
    /// names none describes its library in words and is not checked): each name is a namespace the library declares
    /// or a type in one, and each namespace the library declares is named (alone or by one of its types).
    /// </summary>
    private static List<string> NamespaceProblems(
        string library,
        string owns,
        IReadOnlyList<string> sources,
        HashSet<string> libraries
    )
    {
        var named = ReadmeName()
            .Matches(owns)
            .Select(m => m.Groups[1].Value)
            .Where(n => !libraries.Contains(n))
            .Distinct()
            .ToList();
        if (named.Count == 0)
        {
            return [];
        }

        var declared = DeclaredNamespaces(sources);
        var problems = new List<string>();
        foreach (var name in named)
        {
            var dot = name.LastIndexOf('.');
            if (
                !declared.Contains(name)
                && !(declared.Contains(name[..dot]) && DeclaresType(sources, name[..dot], name[(dot + 1)..]))
            )
            {
                problems.Add($"the row of {library} names {name}, which {library} does not declare");
            }
        }

        foreach (var ns in declared.Order(StringComparer.Ordinal))
        {
            if (!named.Any(n => n == ns || n.StartsWith(ns + ".", StringComparison.Ordinal)))
            {
                problems.Add($"{library} declares {ns}, which its row does not name");
            }
        }

        return problems;
    }

    /// <summary>Each namespace declared by more than one library, with the libraries (in the order given).</summary>
    private static List<string> SharedNamespaces(IReadOnlyDictionary<string, IReadOnlyList<string>> sourcesByLibrary) =>
        sourcesByLibrary
            .SelectMany(library =>
                DeclaredNamespaces(library.Value).Select(ns => (Namespace: ns, Library: library.Key))
            )
            .GroupBy(d => d.Namespace, StringComparer.Ordinal)
            .Where(g => g.Count() > 1)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key} is declared by {string.Join(" and ", g.Select(d => d.Library))}")
            .ToList();

    private static HashSet<string> DeclaredNamespaces(IEnumerable<string> sources) =>
        sources
            .SelectMany(text => NamespaceDeclaration().Matches(text).Select(m => m.Groups[1].Value))
            .ToHashSet(StringComparer.Ordinal);

    private static bool DeclaresType(IEnumerable<string> sources, string ns, string type) =>
        sources.Any(text =>
            text.Contains($"namespace {ns};", StringComparison.Ordinal)
            && Regex.IsMatch(text, $@"\b(class|record|struct|interface|enum)\s+(struct\s+)?{Regex.Escape(type)}\b")
        );

    /// <summary>The C# sources under a folder, without build outputs.</summary>
    private static IEnumerable<string> Sources(string dir) =>
        Directory
            .EnumerateFiles(dir, "*.cs", SearchOption.AllDirectories)
            .Where(f =>
                !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
            )
            .Select(File.ReadAllText);

    /// <summary>The names of the projects the given ones reference, directly or through others.</summary>
    private static HashSet<string> ReferenceClosure(IEnumerable<string> projects)
    {
        var reached = new HashSet<string>();
        var pending = new Stack<string>(projects);
        while (pending.TryPop(out var project))
        {
            foreach (var reference in ProjectReferencePaths(project).Where(r => reached.Add(r)))
            {
                pending.Push(reference);
            }
        }

        return reached.Select(Path.GetFileNameWithoutExtension).OfType<string>().ToHashSet();
    }

    [GeneratedRegex(@"^namespace\s+([\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex NamespaceDeclaration();

    [GeneratedRegex(@"`(Nsmt(?:\.\w+)+)`")]
    private static partial Regex ReadmeName();

    /// <summary>Rows of the README's "Libraries" table: `Nsmt.X` | owns | may use (short names, "-" for none).</summary>
    private static Dictionary<string, HashSet<string>> ReadMap()
    {
        var map = new Dictionary<string, HashSet<string>>();
        foreach (var row in MapRows())
        {
            var uses = row.Groups["uses"]
                .Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Where(u => u != "-")
                .Select(u => "Nsmt." + u);
            map[row.Groups["name"].Value] = [.. uses];
        }

        Assert.NotEmpty(map);
        return map;
    }

    private static IEnumerable<Match> MapRows()
    {
        var readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        var start = readme.IndexOf("### Libraries", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no '### Libraries' section");
        return MapRow().Matches(readme[start..].Split("\n\n#")[0]);
    }

    private static string[] ProjectReferences(string project) =>
        XDocument
            .Load(project)
            .Descendants("ProjectReference")
            .Select(r => Path.GetFileNameWithoutExtension((string?)r.Attribute("Include") ?? ""))
            .Order()
            .ToArray();

    private static IEnumerable<string> ProjectReferencePaths(string project) =>
        XDocument
            .Load(project)
            .Descendants("ProjectReference")
            .Select(r => (string?)r.Attribute("Include") ?? "")
            .Select(include =>
                Path.GetFullPath(Path.Combine(Path.GetDirectoryName(project)!, include.Replace('\\', '/')))
            );

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Pipeline.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Pipeline.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^\| `(?<name>Nsmt\.[\w.]+)` \|(?<owns>[^\n]*)\| (?<uses>[^|\n]*) \|\s*$", RegexOptions.Multiline)]
    private static partial Regex MapRow();
}
