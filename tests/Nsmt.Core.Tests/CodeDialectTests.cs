using System.Diagnostics;

namespace Nsmt.Core.Tests;

/// <summary>
/// build/format.sh --check, which build/test.sh runs before building, on a copy of the files it reads and one C# file:
/// it passes a file laid out as CSharpier lays it and fails a planted misformatted one, naming it. The check runs on a
/// copy so that the test holds whatever state the working tree is in.
/// </summary>
public sealed class CodeDialectTests : IDisposable
{
    private static readonly string Root = FindRoot();

    private static readonly string[] ToolingFiles =
    [
        "build/format.sh",
        "dotnet-tools.json",
        ".csharpierrc.yaml",
        ".csharpierignore",
        ".editorconfig",
    ];

    private const string Formatted = """
        namespace Planted;

        public static class Sample
        {
            public static int Clamp(int value, int limit)
            {
                if (value > limit)
                {
                    return limit;
                }

                return value;
            }
        }

        """;

    // The same code, with the body of the if on the condition's line and a four-space indent gone.
    private const string Misformatted = """
        namespace Planted;

        public static class Sample
        {
        public static int Clamp(int value, int limit)
            {
                if (value > limit) { return limit; }

                return value;
            }
        }

        """;

    private readonly string _workspace = Directory.CreateTempSubdirectory("nsmt-format-").FullName;

    [Fact]
    public void The_check_passes_a_file_laid_out_as_csharpier_lays_it()
    {
        var (exitCode, output) = CheckWith(Formatted);
        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public void The_check_fails_a_planted_misformatted_file_and_names_it()
    {
        var (exitCode, output) = CheckWith(Misformatted);
        Assert.Equal(1, exitCode);
        Assert.Contains("Planted.cs", output);
        Assert.Contains("run build/format.sh", output);
    }

    public void Dispose() => Directory.Delete(_workspace, recursive: true);

    private (int ExitCode, string Output) CheckWith(string source)
    {
        foreach (var file in ToolingFiles)
        {
            var target = Path.Combine(_workspace, file);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Path.Combine(Root, file), target);
        }

        Directory.CreateDirectory(Path.Combine(_workspace, "src"));
        File.WriteAllText(Path.Combine(_workspace, "src", "Planted.cs"), source);

        var start = new ProcessStartInfo("bash", ["build/format.sh", "--check"])
        {
            WorkingDirectory = _workspace,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout + stderr.Result);
    }

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
}
