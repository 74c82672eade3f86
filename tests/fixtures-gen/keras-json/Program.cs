using Nsmt.Tests.Shared;

// Writes each case's bytes into the test projects' Fixtures/main-json: the Keras JSON cases into Nsmt.Amp.Tests, the
// knob WaveNet cases into Nsmt.Amp.Training.Tests. Run from this folder: `dotnet run -c Release`.
var root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../.."));
var written = new Dictionary<string, byte[]>();
foreach (
    var (folder, cases) in new[]
    {
        (Path.Combine(root, "tests/Nsmt.Amp.Tests/Fixtures/main-json"), KerasWriterCases.All()),
        (Path.Combine(root, "tests/Nsmt.Amp.Training.Tests/Fixtures/main-json"), KnobWaveNetFileCases.All()),
    }
)
{
    Directory.CreateDirectory(folder);
    foreach (var (golden, write) in cases)
    {
        var path = Path.Combine(folder, golden);
        var bytes = write();
        if (written.TryGetValue(path, out var earlier) && !earlier.AsSpan().SequenceEqual(bytes))
        {
            // Two cases of one golden (a model serialized, and saved to a file) must write the same bytes.
            throw new InvalidOperationException($"{golden}: a case wrote other bytes than the one before it");
        }

        written[path] = bytes;
        File.WriteAllBytes(path, bytes);
        Console.WriteLine(path);
    }
}
