using System.Runtime.InteropServices;
using Nsmt.Pipeline.Cli;

// nsmt-pipeline: the command line over Nsmt.Pipeline. build.cake starts it once per Cake run in `serve` mode and
// sends it one command per target, so the runtime starts and the code is compiled once, not once per target.

var commands = new PipelineCommands();
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, commands.Interrupt);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, commands.Interrupt);
return args switch
{
    ["serve", "--done-marker", var marker] when marker.Length > 0 => commands.Serve(Console.In, Console.Error, marker),
    ["serve", ..] => Refuse("serve needs --done-marker TEXT: the start of the line that ends each command's answer"),
    _ => commands.Execute(args),
};

static int Refuse(string message)
{
    Console.Error.WriteLine($"nsmt-pipeline: {message}");
    return 2;
}
