using Nsmt.Amp.Architectures;
using Nsmt.Amp.Engine;

namespace Nsmt.Amp.Processing;

/// <summary>
/// Offline processing of a signal that arrives in pieces (a long file read chunk by chunk), giving
/// the same samples as one pass over the whole signal. A WaveNet piece is computed as the valid
/// forward pass over [the previous RF-1 input samples] ++ piece (zeros before the start, as Core's
/// prewarm), so no boundary ever sees padding: the predecessor project's chunking clicked at every boundary
/// because it padded each chunk with zeros. An LSTM simply carries its state.
/// </summary>
public sealed class ChunkedNamProcessor
{
    public const int DefaultMaxChunk = 65536;

    private readonly NamModel _model;
    private readonly TanhMode _tanhMode;
    private readonly WaveNetOfflineProcessor? _waveNet;
    private readonly INamEngine? _recurrent;
    private readonly float[] _work;
    private readonly float[] _workOutput;
    private readonly int _context;

    public ChunkedNamProcessor(NamModel model, TanhMode tanhMode = TanhMode.Exact, int maxChunk = DefaultMaxChunk)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChunk, 1);
        _model = model;
        _tanhMode = tanhMode;
        MaxChunk = maxChunk;
        if (model.Config is WaveNetConfig)
        {
            _context = model.ReceptiveField - 1;
            // One internal pass per piece: history and piece together.
            _waveNet = new WaveNetOfflineProcessor(WaveNetPackedModel.Create(model), tanhMode, _context + maxChunk);
            _work = new float[_context + maxChunk];
            _workOutput = new float[_context + maxChunk];
        }
        else
        {
            _recurrent = NamEngineFactory.Create(model, tanhMode);
            _work = [];
            _workOutput = [];
        }
    }

    public int MaxChunk { get; }

    public int ReceptiveField => _model.ReceptiveField;

    public TanhMode TanhMode => _tanhMode;

    /// <summary>Forgets all history: the next sample is treated as the start of a signal.</summary>
    public void Reset()
    {
        if (_waveNet is not null)
        {
            Array.Clear(_work);
        }
        else
        {
            _recurrent!.Reset();
        }
    }

    /// <summary>Processes the next piece of the signal (any length); <paramref name="output"/> must be at least as long.</summary>
    public void Process(ReadOnlySpan<float> input, Span<float> output)
    {
        if (output.Length < input.Length)
        {
            throw new ArgumentException(
                $"output holds {output.Length} samples, input has {input.Length}",
                nameof(output)
            );
        }

        if (_recurrent is not null)
        {
            _recurrent.Process(input, output);
            return;
        }

        for (var start = 0; start < input.Length; start += MaxChunk)
        {
            var count = Math.Min(MaxChunk, input.Length - start);
            // _work[0.._context) holds the last RF-1 input samples seen (zeros at the start).
            input.Slice(start, count).CopyTo(_work.AsSpan(_context));
            _waveNet!.Process(_work.AsSpan(0, _context + count), _workOutput.AsSpan(0, _context + count));
            _workOutput.AsSpan(_context, count).CopyTo(output.Slice(start, count));
            _work.AsSpan(count, _context).CopyTo(_work);
        }
    }
}
