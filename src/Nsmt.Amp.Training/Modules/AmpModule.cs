using Nsmt.Neural;
using Nsmt.Neural.Engine;
using static TorchSharp.torch;

namespace Nsmt.Amp.Training.Modules;

/// <summary>
/// Base of the trainable amp models. <see cref="nn.Module{T, TResult}.forward"/> maps an input batch
/// [B, T] to the outputs it fully determines, [B, T - Context - Lookahead]: output j belongs to input
/// sample j + Context. Training windows therefore carry Context samples of real input before the
/// first target sample (the "pre-roll") and Lookahead samples after the last, so no zero-padded
/// edge ever enters the loss.
/// </summary>
public abstract class AmpModule : nn.Module<Tensor, Tensor>
{
    protected AmpModule(string name)
        : base(name)
    {
        // Before the first model of the process: a CPU whose float32 kernels are wrong must not train (issue 29).
        EngineGuard.Ensure();
    }

    /// <summary>Input samples before an output's own sample that it depends on (WaveNet: RF-1; LSTM: burn-in).</summary>
    public abstract int Context { get; }

    /// <summary>Input samples after an output's own sample that it depends on (0 for causal models).</summary>
    public virtual int Lookahead => 0;

    /// <summary>
    /// Outputs per input item of <see cref="nn.Module{T, TResult}.forward"/>: a packed model (several widths trained
    /// at once) stacks its widths' outputs along the batch, and the trainer repeats the target as often.
    /// </summary>
    public virtual int OutputsPerInput => 1;

    /// <summary>Whether the model can be written as a <c>.nam</c> file (NAM's A1 WaveNet and LSTM).</summary>
    public abstract bool IsNamExportable { get; }

    /// <summary>
    /// The model's size as NAM counts it, the one count every report uses: the weights of its .nam file (the A1
    /// WaveNet's fixed head scale included, so one more than its trainable parameters); for a model without a .nam
    /// form, its trainable parameters.
    /// </summary>
    public virtual long WeightCount => parameters().Sum(p => p.numel());

    /// <summary>
    /// Runs a whole signal through the model as a freshly reset engine would (silence before the
    /// start, and after the end for a model with lookahead), in chunks so memory stays bounded;
    /// chunking gives the same samples as one pass.
    /// </summary>
    public abstract float[] Process(ReadOnlySpan<float> input, int chunkSize = DefaultChunkSize);

    /// <summary>
    /// Outputs per chunk of offline processing: every intermediate of a chunk's forward pass lives
    /// until the pass ends (about 200 MB for A1 standard at this size), and each chunk recomputes
    /// the context (12% extra for A1's 4,092 samples).
    /// </summary>
    public const int DefaultChunkSize = 1 << 15;

    /// <summary>
    /// The model's outputs for an input that already carries its context and lookahead (length
    /// Context + N + Lookahead gives N outputs), without gradients, in eval mode. Convolutional
    /// models run in chunks of <paramref name="chunkSize"/> outputs (same samples as one pass).
    /// </summary>
    public virtual float[] PredictAligned(ReadOnlySpan<float> input, int chunkSize = DefaultChunkSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        int context = Context,
            lookahead = Lookahead;
        var count = input.Length - context - lookahead;
        if (count < 0)
        {
            throw new ArgumentException(
                $"input of {input.Length} samples is shorter than the model's context + lookahead ({context + lookahead})"
            );
        }

        var output = new float[count];
        var wasTraining = training;
        var device = this.ParameterDevice();
        eval();
        try
        {
            using var noGrad = no_grad();
            for (var start = 0; start < count; start += chunkSize)
            {
                using var scope = NewDisposeScope();
                var n = Math.Min(chunkSize, count - start);
                var window = input.Slice(start, context + n + lookahead);
                using var x = TensorExtensions.FromSpan(window, 1, window.Length).to(device);
                using var y = call(x);
                y.CopyTo<float>(output.AsSpan(start, n));
            }
        }
        finally
        {
            train(wasTraining);
        }

        return output;
    }

    /// <summary>Valid-convolution processing: silence (zeros) of context before and lookahead after the signal.</summary>
    protected float[] ProcessConvolutional(ReadOnlySpan<float> input, int chunkSize)
    {
        var padded = new float[Context + input.Length + Lookahead];
        input.CopyTo(padded.AsSpan(Context));
        return PredictAligned(padded, chunkSize);
    }
}
