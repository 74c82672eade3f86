using System.CommandLine;
using Nsmt.Amp.Stage;

// Amp: capture signal, reference amp, capture checks, file processing and evaluation.
// Each subcommand parses its options and makes one library call; see Commands.cs.
// Exit codes: 0 ok, 1 command-line error, 2 bad input or I/O error, 3 `check` found problems.

var root = new RootCommand("Neural amp modeling tools: make a capture signal, reamp it through the reference amp, "
    + "check a DI/reamp pair, process audio through a .nam model, evaluate a model.")
{
    Commands.Capture(),
    Commands.Reamp(),
    Commands.Check(),
    Commands.Process(),
    Commands.Evaluate(),
};
return root.Parse(args).Invoke();
