using Nsmt.Amp.Capture;
using Nsmt.Amp.Architectures;
using Nsmt.Amp.Ingest;

namespace Nsmt.Amp.Training.Data;

/// <summary>
/// An aligned input/output pair at one sample rate, with the ranges of output samples to train on
/// and to validate on (held out), and what ingestion found out about the data for the .nam metadata.
/// </summary>
public sealed record AmpTrainingData
{
    public AmpTrainingData(float[] input, float[] output, int sampleRate, SampleRange train, SampleRange validation)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        if (input.Length != output.Length)
        {
            throw new ArgumentException($"input ({input.Length} samples) and output ({output.Length} samples) must be aligned to the same length");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 1);
        foreach (var (range, name) in new[] { (train, "train"), (validation, "validation") })
        {
            if (range.IsEmpty || range.End > input.Length)
            {
                throw new ArgumentException($"{name} range {range} must be non-empty and inside the {input.Length} samples");
            }
        }

        Input = input;
        Output = output;
        SampleRate = sampleRate;
        Train = train;
        Validation = validation;
    }

    public float[] Input { get; }

    public float[] Output { get; }

    public int SampleRate { get; }

    /// <summary>Output samples whose windows are trained on.</summary>
    public SampleRange Train { get; }

    /// <summary>Held-out output samples for validation ESR and model selection.</summary>
    public SampleRange Validation { get; }

    /// <summary>Latency detection results, for <c>metadata.training.data.latency</c>.</summary>
    public NamLatencyMetadata? Latency { get; init; }

    /// <summary>The alignment the data was trained with (from <see cref="Latency"/>); null when that is not known.</summary>
    public Alignment? Alignment => Alignment.Of(Latency);

    /// <summary>What the <c>.nam</c> and the checkpoint record of the data: <c>metadata.training.data</c>.</summary>
    public NamTrainingData ToNamTrainingData() => new() { Latency = Latency, Checks = Checks };

    /// <summary>Data checks (validation repeat agreement), for <c>metadata.training.data.checks</c>.</summary>
    public NamDataChecks? Checks { get; init; }

    /// <summary>Ingestion's warnings (clipping, latency disagreement, validation replicates differing, ...).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>One line on where the data came from, for logs.</summary>
    public string Description { get; init; } = "";
}
