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
        var reached = new HashSet<string>();
        var pending = new Stack<string>(testProjects);
        while (pending.TryPop(out var project))
        {
            foreach (var reference in ProjectReferencePaths(project).Where(r => reached.Add(r)))
            {
                pending.Push(reference);
            }
        }

        var reachedNames = reached.Select(Path.GetFileNameWithoutExtension).ToHashSet();
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
        var sources = new[] { "src", "stages" }
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(Root, d), "*.cs", SearchOption.AllDirectories))
            .Where(f =>
                !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
            )
            .Select(File.ReadAllText)
            .ToList();
        var namespaces = sources
            .SelectMany(text => NamespaceDeclaration().Matches(text).Select(m => m.Groups[1].Value))
            .ToHashSet(StringComparer.Ordinal);
        var libraries = Directory
            .GetDirectories(Path.Combine(Root, "src"))
            .Select(Path.GetFileName)
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);

        bool DeclaresType(string ns, string type) =>
            sources.Any(text =>
                text.Contains($"namespace {ns};", StringComparison.Ordinal)
                && Regex.IsMatch(text, $@"\b(class|record|struct|interface|enum)\s+(struct\s+)?{Regex.Escape(type)}\b")
            );

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
                    return DeclaresType(ns, parts[i]);
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

    [GeneratedRegex(@"^namespace\s+([\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex NamespaceDeclaration();

    [GeneratedRegex(@"`(Nsmt(?:\.\w+)+)`")]
    private static partial Regex ReadmeName();

    /// <summary>Rows of the README's "Libraries" table: `Nsmt.X` | owns | may use (short names, "-" for none).</summary>
    private static Dictionary<string, HashSet<string>> ReadMap()
    {
        var readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        var start = readme.IndexOf("### Libraries", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no '### Libraries' section");
        var map = new Dictionary<string, HashSet<string>>();
        foreach (Match row in MapRow().Matches(readme[start..].Split("\n\n#")[0]))
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

    [GeneratedRegex(@"^\| `(?<name>Nsmt\.[\w.]+)` \|[^\n]*\| (?<uses>[^|\n]*) \|\s*$", RegexOptions.Multiline)]
    private static partial Regex MapRow();
}
