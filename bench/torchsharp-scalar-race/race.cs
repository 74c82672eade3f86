#:package TorchSharp
// TorchSharp 0.107's `a + b` passes an implicitly created Scalar (alpha = 1) to libtorch and drops it: once its
// handle is read the Scalar is garbage, and a GC started by another thread during the native call can finalize it,
// freeing the native Scalar that libtorch is about to read (glibc's free writes into it) -> "Expected false to be
// true" from c10::Scalar::toFloat, or a wrong alpha. Upstream: dotnet/TorchSharp PR #1434 (open).
// Counts the adds of two [1, 16, 48000] tensors until the first failure, with and without a thread that allocates.
using static TorchSharp.torch;

var native = Environment.GetEnvironmentVariable("TORCH_NATIVE")
    ?? throw new InvalidOperationException("set TORCH_NATIVE");
System.Runtime.InteropServices.NativeLibrary.Load(Path.Combine(native, "libtorch.so"));
System.Runtime.InteropServices.NativeLibrary.Load(Path.Combine(native, "libLibTorchSharp.so"));
var seconds = args.Length > 0 ? double.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 30;
foreach (var allocator in new[] { false, true })
{
    var stop = false;
    var thread = new Thread(() =>
    {
        long bytes = 0;
        while (!Volatile.Read(ref stop))
        {
            bytes += new byte[256].Length;
        }
    });
    if (allocator)
    {
        thread.IsBackground = true;
        thread.Start();
    }

    using var x = randn(1, 16, 48000);
    using var y = randn(1, 16, 48000);
    var clock = System.Diagnostics.Stopwatch.StartNew();
    long adds = 0;
    string outcome;
    try
    {
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            using var z = x + y;
            adds++;
        }

        outcome = "no failure";
    }
    catch (Exception e)
    {
        outcome = "FAILED: " + e.Message.Split('\n')[0];
    }

    Volatile.Write(ref stop, true);
    Console.WriteLine(
        $"allocating thread {(allocator ? "yes" : "no ")}: {adds} adds in {clock.Elapsed.TotalSeconds:0.0} s, {outcome}"
    );
}
