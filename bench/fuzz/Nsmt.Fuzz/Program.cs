using Nsmt.Fuzz;
using SharpFuzz;

// Fuzz harness for AFL++ through SharpFuzz (bench/fuzz/run.sh drives it):
//   Nsmt.Fuzz TARGET            read inputs from AFL (stdin / shared memory), forever
//   Nsmt.Fuzz TARGET FILE...    run files once each and report (reproducing findings, seeding corpora)
if (args.Length == 0 || !Targets.All.TryGetValue(args[0], out var target))
{
    Console.Error.WriteLine($"usage: Nsmt.Fuzz {string.Join('|', Targets.All.Keys)} [FILE...]");
    return 2;
}

var scratch = Directory.CreateTempSubdirectory("nsmt-fuzz-").FullName;
try
{
    if (args.Length > 1)
    {
        var failures = 0;
        foreach (var file in args[1..])
        {
            try
            {
                Run(target, File.ReadAllBytes(file), scratch);
                Console.WriteLine($"ok        {file}");
            }
            catch (Exception e)
            {
                failures++;
                Console.WriteLine($"FINDING   {file}: {e.GetType().FullName}: {e.Message}");
                Console.WriteLine(e.StackTrace);
            }
        }

        return failures == 0 ? 0 : 1;
    }

    Fuzzer.OutOfProcess.Run(stream =>
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        Run(target, buffer.ToArray(), scratch);
    });
    return 0;
}
finally
{
    Directory.Delete(scratch, recursive: true);
}

static void Run(Action<byte[], string> target, byte[] input, string scratch)
{
    try
    {
        target(input, scratch);
    }
    catch (Exception e) when (Targets.IsDocumented(e))
    {
        // A clear refusal is the right answer to a bad file.
    }
}
