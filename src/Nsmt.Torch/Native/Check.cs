using System.Runtime.InteropServices;

namespace Nsmt.Torch.Native;

/// <summary>Turns the shim's failure sentinels into managed exceptions with libtorch's message.</summary>
internal static class Check
{
    internal static IntPtr Handle(IntPtr handle) => handle == IntPtr.Zero ? throw Failure() : handle;

    internal static void Status(int status)
    {
        if (status < 0)
            throw Failure();
    }

    internal static int Count(int value) => value < 0 ? throw Failure() : value;

    internal static double Value(double value)
    {
        if (double.IsNaN(value))
        {
            var message = Message();
            if (message.Length > 0)
                throw new TorchException(message);
        }
        return value;
    }

    internal static TorchException Failure()
    {
        var message = Message();
        return new TorchException(message.Length > 0 ? message : "libtorch call failed without a message");
    }

    private static string Message()
    {
        var message = Marshal.PtrToStringUTF8(NativeMethods.nsmt_last_error()) ?? "";
        NativeMethods.nsmt_clear_error();
        return message;
    }
}
