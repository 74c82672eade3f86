using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nsmt.Amp.Training.Modules;

/// <summary>
/// Several A2 widths trained in one run, as NAM's PackedWaveNet does (A2-Lite and A2-Full). NAM packs the widths
/// into one WaveNet of block-diagonal (masked) convolutions, so no weight is shared and the summed loss gives each
/// width exactly its own gradient; here the widths are separate modules with the same effect: one forward over
/// the batch, one loss over every width's output, one optimiser. <see cref="AmpModule.forward"/> stacks the widths'
/// outputs along the batch ([S*B, T - Context], narrowest first; the trainer repeats the target to match); offline
/// processing, validation and loudness use the widest, the width a player serves by default.
/// </summary>
public sealed class PackedA2 : AmpModule
{
    public PackedA2(IReadOnlyList<(string Name, A2Config Config)> widths)
        : base(nameof(PackedA2))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(widths.Count, 2);
        if (widths.Select(w => w.Config.ReceptiveField).Distinct().Count() != 1)
        {
            throw new ArgumentException(
                "packed widths must share the receptive field (same layers, kernels and dilations)",
                nameof(widths)
            );
        }

        Names = [.. widths.Select(w => w.Name)];
        register_module(
            "submodels",
            Submodels = new ModuleList<NamA2WaveNet>([.. widths.Select(w => new NamA2WaveNet(w.Config))])
        );
    }

    /// <summary>The widths' preset names, narrowest first.</summary>
    public IReadOnlyList<string> Names { get; }

    public ModuleList<NamA2WaveNet> Submodels { get; }

    /// <summary>The widest width: what plays by default (Core's size 1.0).</summary>
    public NamA2WaveNet Widest => Submodels[^1];

    public override int Context => Widest.Context;

    public override int OutputsPerInput => Submodels.Count;

    public override bool IsNamExportable => true;

    public override long WeightCount => Submodels.Sum(s => s.WeightCount);

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return torch.cat([.. Submodels.Select(s => s.call(x))], 0).MoveToOuterDisposeScope();
    }

    public override float[] PredictAligned(ReadOnlySpan<float> input, int chunkSize = DefaultChunkSize) =>
        Widest.PredictAligned(input, chunkSize);

    public override float[] Process(ReadOnlySpan<float> input, int chunkSize = DefaultChunkSize) =>
        Widest.Process(input, chunkSize);
}
