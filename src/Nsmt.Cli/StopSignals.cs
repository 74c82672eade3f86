using System.Runtime.InteropServices;

namespace Nsmt.Cli;

/// <summary>
/// Ctrl-C (SIGINT) and SIGTERM as a cancellation instead of sudden death: the stage stops at its next check, its
/// atomic writers remove their temporary files, and it exits with <see cref="ExitCodes.Cancelled"/>.
/// </summary>
public sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly List<PosixSignalRegistration> _registrations = [];

    /// <param name="stage">the program, for the message</param>
    /// <param name="consequence">what stopping leaves behind, said once when the first signal arrives</param>
    public StopSignals(string stage, string consequence)
    {
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM })
        {
            _registrations.Add(PosixSignalRegistration.Create(signal, context =>
                {
                    context.Cancel = true;
                    if (!_cancel.IsCancellationRequested)
                    {
                        Console.Error.WriteLine($"{stage}: stopping ({consequence})");
                        _cancel.Cancel();
                    }
                }));
        }
    }

    public CancellationToken Token => _cancel.Token;

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _cancel.Dispose();
    }
}
