using Nsmt.Amp.Capture;
using Nsmt.Amp.Ingest;
using Nsmt.Neural;
using static TorchSharp.torch;

namespace Nsmt.Amp.Training.Data;

/// <summary>
/// Training windows over an aligned pair (NAM's dataset): window i targets <c>ny</c> output
/// samples starting at first + i*ny and carries the <c>context</c> input samples before them and
/// <c>lookahead</c> after, all real data, so no zero-padded edge enters the loss. Windows do not
/// overlap; the first target sample is the range's start or, when the data before it is too short
/// for the context, the first sample with full context.
/// </summary>
public sealed class WindowDataset
{
    private readonly AlignedSignals _signals;

    public WindowDataset(float[] input, float[] output, SampleRange targets, int ny, int context, int lookahead)
        : this(AlignedSignals.InMemory(input, output), targets, ny, context, lookahead) { }

    /// <summary>Windows over <paramref name="signals"/>, read a batch at a time (so a pair spilled to disk stays there).</summary>
    /// <param name="targetGain">What the targets are multiplied by (<see cref="TargetNormalization"/>; 1: as recorded).</param>
    public WindowDataset(
        AlignedSignals signals,
        SampleRange targets,
        int ny,
        int context,
        int lookahead,
        double targetGain = 1
    )
    {
        ArgumentNullException.ThrowIfNull(signals);
        ArgumentOutOfRangeException.ThrowIfLessThan(ny, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(context);
        ArgumentOutOfRangeException.ThrowIfNegative(lookahead);
        this._signals = signals;
        TargetGain = targetGain;
        Ny = ny;
        Context = context;
        Lookahead = lookahead;
        FirstTarget = Math.Max(targets.Start, context);
        var end = Math.Min(targets.End, signals.Length - lookahead);
        Count = Math.Max(0, (end - FirstTarget) / ny);
        if (Count == 0)
        {
            throw new ArgumentException(
                $"the range {targets} holds no window of {ny} output samples with {context} samples of context and {lookahead} of lookahead; "
                    + "use more data or a smaller data.ny"
            );
        }
    }

    public int Ny { get; }

    /// <summary>What the targets are multiplied by (1: as recorded).</summary>
    public double TargetGain { get; }

    public int Context { get; }

    public int Lookahead { get; }

    public int FirstTarget { get; }

    public int Count { get; }

    /// <summary>Input samples per window: context + ny + lookahead.</summary>
    public int InputLength => Context + Ny + Lookahead;

    public int TargetStart(int index) => FirstTarget + (index * Ny);

    /// <summary>The windows <paramref name="indices"/> as (input [B, InputLength], target [B, ny]).</summary>
    public (Tensor input, Tensor target) Batch(ReadOnlySpan<int> indices)
    {
        var x = new float[indices.Length * InputLength];
        var y = new float[indices.Length * Ny];
        for (var b = 0; b < indices.Length; b++)
        {
            if ((uint)indices[b] >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(indices),
                    indices[b],
                    $"window index must be in [0, {Count})"
                );
            }

            var start = TargetStart(indices[b]);
            _signals.Input.Read(start - Context, x.AsSpan(b * InputLength, InputLength));
            _signals.Output.Read(start, y.AsSpan(b * Ny, Ny));
        }

        TargetNormalization.Scale(y, TargetGain);

        return (
            TensorExtensions.FromSpan<float>(x, indices.Length, InputLength),
            TensorExtensions.FromSpan<float>(y, indices.Length, Ny)
        );
    }

    /// <summary>
    /// A seeded permutation of the window indices for an epoch: a pure function of (seed, epoch),
    /// so a resumed run shuffles exactly as an uninterrupted one.
    /// </summary>
    public int[] Shuffle(long seed, int epoch) => Permutation(Count, seed, epoch);

    /// <summary>A seeded permutation of 0..<paramref name="count"/>-1, a pure function of (count, seed, epoch).</summary>
    public static int[] Permutation(int count, long seed, int epoch)
    {
        var order = Enumerable.Range(0, count).ToArray();
        var state =
            unchecked((ulong)seed * 0x9E3779B97F4A7C15UL)
            ^ unchecked((ulong)epoch * 0xD1B54A32D192ED03UL)
            ^ 0x5851F42D4C957F2DUL;
        for (var i = order.Length - 1; i > 0; i--)
        {
            var j = (int)(SplitMix(ref state) % (ulong)(i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }

        return order;
    }

    private static ulong SplitMix(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
