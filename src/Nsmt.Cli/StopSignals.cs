using System.Runtime.InteropServices;

namespace Nsmt.Cli;

/// <summary>
/// Ctrl-C (SIGINT) and SIGTERM as a cancellation instead of sudden death: the stage stops at its next check (a trainer
/// at its next step boundary), its atomic writers remove their temporary files, it says so on stderr, and it exits with
/// 128 + the signal's number as shells report it (<see cref="ExitCodes.Cancelled"/> for SIGINT,
/// <see cref="ExitCodes.Terminated"/> for SIGTERM).
/// </summary>
public sealed class StopSignals : IDisposable
{
    private static int? LastSignalExitCode;
    private readonly CancellationTokenSource _cancel = new();
    private readonly List<PosixSignalRegistration> _registrations = [];

    /// <param name="stage">the program, for the message</param>
    /// <param name="consequence">what stopping leaves behind, said once when the first signal arrives</param>
    public StopSignals(string stage, string consequence)
    {
        foreach (
            var (signal, name, code) in new[]
            {
                (PosixSignal.SIGINT, "SIGINT", ExitCodes.Cancelled),
                (PosixSignal.SIGTERM, "SIGTERM", ExitCodes.Terminated),
            }
        )
        {
            _registrations.Add(PosixSignalRegistration.Create(signal, context =>
                {
                    context.Cancel = true;
                    if (!_cancel.IsCancellationRequested)
                    {
                        LastSignalExitCode = code;
                        Console.Error.WriteLine($"{stage}: {name}: stopping ({consequence})");
                        _cancel.Cancel();
                    }
                }));
        }
    }

    public CancellationToken Token => _cancel.Token;

    /// <summary>The exit code of the signal that stopped this process (130 or 143); 130 when none did (a cancellation).</summary>
    public static int ExitCode => LastSignalExitCode ?? ExitCodes.Cancelled;

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _cancel.Dispose();
    }
}
