using Nsmt.Tests.Shared;

// Writes each case's bytes into the test projects' Fixtures/main-nam: the Amp cases into Nsmt.Amp.Tests, the A2 and
// checkpoint cases into Nsmt.Amp.Training.Tests. Run from this folder: `dotnet run`.
var root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../.."));
var coreExamples = Path.GetFullPath(Path.Combine(root, "../shared/fixtures/nam/core-examples"));
var amp = Path.Combine(root, "tests/Nsmt.Amp.Tests/Fixtures/main-nam");
var training = Path.Combine(root, "tests/Nsmt.Amp.Training.Tests/Fixtures/main-nam");
foreach (
    var (folder, cases) in new[]
    {
        (amp, NamWriterCases.Built().Concat(NamWriterCases.FromCoreExamples(coreExamples))),
        (training, A2WriterCases.All()),
    }
)
{
    Directory.CreateDirectory(folder);
    foreach (var (golden, write) in cases)
    {
        File.WriteAllBytes(Path.Combine(folder, golden), write());
        Console.WriteLine(Path.Combine(folder, golden));
    }
}
