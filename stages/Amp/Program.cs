using Nsmt.Amp.Stage;
using Nsmt.Cli;

// Amp: capture signal, reference amp, capture checks, file processing and evaluation.
// Each subcommand parses its options and makes one library call; see AmpCommands.cs.
// Exit codes (Nsmt.Cli.ExitCodes): 0 ok, 1 command-line error, 2 bad input or I/O error, 3 `check` found problems.

return StageCli.Invoke(AmpCommands.Root(), args);
