using System.Runtime.InteropServices;
using Nsmt.Pipeline.Cli;

// nsmt-pipeline: the command line over Nsmt.Pipeline. build.cake starts it once per Cake run in `serve` mode and
// sends it one command per target, so the runtime starts and the code is compiled once, not once per target.

var commands = new Commands();
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, commands.Interrupt);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, commands.Interrupt);
return args is ["serve"] ? commands.Serve(Console.In, Console.Error) : commands.Execute(args);
