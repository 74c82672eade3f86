using Microsoft.Build.Locator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.MSBuild;
using Microsoft.CodeAnalysis.Rename;

// Renames every field that breaks .editorconfig's naming rules, with Roslyn's rename (references, nameof and
// conflicts included): private instance fields _camelCase, private static fields and constants PascalCase.
// Usage: FieldNames <solution-or-project>...   Prints each rename; exit 1 where a rename could not be applied.
MSBuildLocator.RegisterDefaults();
var failed = false;
foreach (var path in args)
{
    using var workspace = MSBuildWorkspace.Create();
    var solution = path.EndsWith(".sln", StringComparison.Ordinal)
        ? await workspace.OpenSolutionAsync(path)
        : (await workspace.OpenProjectAsync(path)).Solution;
    var renames = await FindRenamesAsync(solution);
    foreach (var (projectId, fieldId, newName) in renames)
    {
        var compilation = await solution.GetProject(projectId)!.GetCompilationAsync();
        var field = DocumentationCommentId.GetFirstSymbolForDeclarationId(fieldId, compilation!);
        if (field is null)
        {
            Console.Error.WriteLine($"field-names: {fieldId} not found after the renames before it");
            failed = true;
            continue;
        }

        Console.WriteLine($"field-names: {fieldId} -> {newName}");
        solution = await Renamer.RenameSymbolAsync(solution, field, new SymbolRenameOptions(), newName);
    }

    if (renames.Count > 0 && !workspace.TryApplyChanges(solution))
    {
        Console.Error.WriteLine($"field-names: the renames in {path} could not be written");
        failed = true;
    }
}

return failed ? 1 : 0;

static async Task<List<(ProjectId, string, string)>> FindRenamesAsync(Solution solution)
{
    var renames = new List<(ProjectId, string, string)>();
    var seen = new HashSet<string>();
    foreach (var project in solution.Projects.Where(p => p.Language == LanguageNames.CSharp))
    {
        var compilation = await project.GetCompilationAsync();
        foreach (var field in FieldsDeclaredInSource(compilation!.Assembly.GlobalNamespace))
        {
            var wanted = WantedName(field);
            var id = field.GetDocumentationCommentId();
            if (wanted != field.Name && NamesATorchComponent(field))
            {
                // The build reports the field (IDE1006) until it is renamed by hand with the attribute.
                Console.Error.WriteLine(
                    $"field-names: {id} left as it is: RegisterComponents names a TorchSharp parameter after it; "
                        + $"rename it to {wanted} with [ComponentName(Name = \"{field.Name}\")] to keep the parameter's name"
                );
                continue;
            }

            // A file linked into several projects declares its fields in each: rename them once.
            if (wanted != field.Name && id is not null && seen.Add(id + "@" + field.Locations[0].SourceTree?.FilePath))
            {
                renames.Add((project.Id, id, wanted));
            }
        }
    }

    return renames;
}

static IEnumerable<IFieldSymbol> FieldsDeclaredInSource(INamespaceOrTypeSymbol container)
{
    foreach (var member in container.GetMembers())
    {
        if (member is INamespaceOrTypeSymbol nested)
        {
            foreach (var field in FieldsDeclaredInSource(nested))
            {
                yield return field;
            }
        }
        else if (member is IFieldSymbol { IsImplicitlyDeclared: false } field && field.Locations.Any(l => l.IsInSource))
        {
            yield return field;
        }
    }
}

// TorchSharp's RegisterComponents names submodules, parameters and buffers after their fields (state_dict keys,
// which checkpoints and PyTorch's names depend on) unless a [ComponentName] attribute names them.
static bool NamesATorchComponent(IFieldSymbol field)
{
    var isModule = false;
    for (var type = field.ContainingType; type is not null; type = type.BaseType)
    {
        isModule |=
            type.Name == "Module"
            && type.ContainingNamespace.ToDisplayString().StartsWith("TorchSharp", StringComparison.Ordinal);
    }

    var registers = field.ContainingType.DeclaringSyntaxReferences.Any(r =>
        r.GetSyntax()
            .DescendantNodes()
            .OfType<IdentifierNameSyntax>()
            .Any(n => n.Identifier.Text == "RegisterComponents")
    );
    var named = field.GetAttributes().Any(a => a.AttributeClass?.Name == "ComponentNameAttribute");
    return isModule && registers && !named;
}

static bool HoldsARegisteredTensor(IFieldSymbol field) =>
    !field.IsStatic && DerivesFrom(field.ContainingType, "Module") && DerivesFrom(field.Type, "Tensor");

static bool DerivesFrom(ITypeSymbol? type, string torchSharpName)
{
    for (; type is not null; type = type.BaseType)
    {
        if (
            type.Name == torchSharpName
            && type.ContainingNamespace.ToDisplayString().StartsWith("TorchSharp", StringComparison.Ordinal)
        )
        {
            return true;
        }
    }

    return false;
}

static string WantedName(IFieldSymbol field)
{
    var bare = field.Name.TrimStart('_');
    if (bare.Length == 0)
    {
        return field.Name;
    }

    if (HoldsARegisteredTensor(field))
    {
        // TorchSharp's Module.to() replaces a registered parameter or buffer through the field of its registered
        // name (a renamed field keeps the old, disposed tensor), and that name is its state_dict key: keep it.
        return char.ToLowerInvariant(bare[0]) + bare[1..];
    }

    if (field.IsConst || (field.IsStatic && field.DeclaredAccessibility == Accessibility.Private))
    {
        return char.ToUpperInvariant(bare[0]) + bare[1..];
    }

    return field.DeclaredAccessibility == Accessibility.Private
        ? "_" + char.ToLowerInvariant(bare[0]) + bare[1..]
        : field.Name;
}
