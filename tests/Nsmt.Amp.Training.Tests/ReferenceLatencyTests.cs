using Nsmt.Amp.Training.Config;
using Nsmt.Amp.Training.Data;

namespace Nsmt.Amp.Training.Tests;

/// <summary>data.latency with the reference amp: the alignment an LSTM trains with (configs/amp/lstm.yaml).</summary>
public class ReferenceLatencyTests
{
    private const string Reference = "data:\n  source: reference\n  seconds: 20\n";

    [Fact]
    public void Latency_is_kept_in_the_resolved_config_only_when_set()
    {
        var aligned = AmpTrainConfig.Parse(Reference, "x", ["data.latency=32"]);
        Assert.Equal(32, aligned.Data.Latency);
        Assert.Contains("  latency: 32\n", aligned.ResolvedYaml, StringComparison.Ordinal);
        Assert.Equal(aligned.ResolvedYaml, AmpTrainConfig.Parse(aligned.ResolvedYaml, "resolved").ResolvedYaml);

        var plain = AmpTrainConfig.Parse(Reference, "x");
        Assert.Null(plain.Data.Latency);
        Assert.DoesNotContain(
            "latency:",
            plain.ResolvedYaml.Replace("latency_samples:", "", StringComparison.Ordinal),
            StringComparison.Ordinal
        );
    }

    [Fact]
    public void Latency_shifts_the_reamped_signal_earlier_by_that_many_samples()
    {
        var plain = AmpDataLoader.FromReferenceAmp(AmpTrainConfig.Parse(Reference, "x").Data);
        var aligned = AmpDataLoader.FromReferenceAmp(AmpTrainConfig.Parse(Reference, "x", ["data.latency=32"]).Data);

        // Ingestion drops the first L samples of the reamp: output[i] with latency 32 is output[i + 32] without, same input.
        var n = Math.Min(aligned.Output.Length, plain.Output.Length - 32);
        Assert.True(n > 100_000);
        Assert.Equal(plain.Output.AsSpan(32, n).ToArray(), aligned.Output.AsSpan(0, n).ToArray());
        Assert.Equal(plain.Input.AsSpan(0, n).ToArray(), aligned.Input.AsSpan(0, n).ToArray());
    }
}
