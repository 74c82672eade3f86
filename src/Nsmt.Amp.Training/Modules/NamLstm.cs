using Nsmt.Amp.Architectures;
using Nsmt.Neural;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nsmt.Amp.Training.Modules;

/// <summary>
/// NAM's LSTM (nam-format.md) as a torch module: a batch-first LSTM on the mono input and a linear
/// head. Training windows start from a zero state and drop the first <see cref="BurnIn"/> outputs,
/// which only warm the state up. <see cref="InitialHidden"/>/<see cref="InitialCell"/> are the
/// exported h0/c0: <see cref="Process"/> starts from them and prewarms on silence exactly as NAM
/// Core does, so it gives Core's samples.
/// </summary>
public sealed class NamLstm : AmpModule
{
    /// <summary>NAM exports the state after this many samples of silence from zero.</summary>
    public const int ExportSilenceSamples = 48_000;

    private readonly LSTM _core;
    private readonly Linear _head;

    public NamLstm(LstmConfig config, int burnIn = 0, double? sampleRate = null)
        : base(nameof(NamLstm))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        ArgumentOutOfRangeException.ThrowIfNegative(burnIn);
        Config = config;
        BurnIn = burnIn;
        SampleRate = sampleRate;
        register_module(
            "core",
            _core = nn.LSTM(config.InputSize, config.HiddenSize, config.NumLayers, batchFirst: true)
        );
        register_module("head", _head = nn.Linear(config.HiddenSize, 1));
        register_buffer(InitialHiddenName, zeros(config.NumLayers, config.HiddenSize));
        register_buffer(InitialCellName, zeros(config.NumLayers, config.HiddenSize));
    }

    public LstmConfig Config { get; }

    /// <summary>Leading outputs of each training window that only warm the state up.</summary>
    public int BurnIn { get; }

    /// <summary>Rate of the prewarm in <see cref="Process"/> (0.5 s of silence; 1 sample when unknown, as Core).</summary>
    public double? SampleRate { get; set; }

    public LSTM Core => _core;

    public Linear Head => _head;

    // Read through the module each time: module.to(dtype or device) replaces the buffers, and a tensor kept from
    // construction would be the released original ("Tensor invalid -- empty handle" after .to(float64)).
    private const string InitialHiddenName = "initial_hidden";
    private const string InitialCellName = "initial_cell";

    /// <summary>h0 [layers, hidden] (a buffer: exported, not trained).</summary>
    public Tensor InitialHidden => get_buffer(InitialHiddenName)!;

    /// <summary>c0 [layers, hidden].</summary>
    public Tensor InitialCell => get_buffer(InitialCellName)!;

    public override int Context => BurnIn;

    public override bool IsNamExportable => true;

    public override long WeightCount => Config.ParameterCount;

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var (features, _, _) = _core.forward(x.unsqueeze(2));
        var y = _head.call(features).squeeze(2);
        return y.narrow(1, BurnIn, y.size(1) - BurnIn).MoveToOuterDisposeScope();
    }

    /// <summary>Windows of a recurrent model cannot be chunked (the state would restart): one pass from a zero state.</summary>
    public override float[] PredictAligned(ReadOnlySpan<float> input, int chunkSize = DefaultChunkSize)
    {
        var wasTraining = training;
        eval();
        try
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            var y = call(TensorExtensions.FromSpan(input, 1, input.Length).to(InitialHidden.device));
            return y.contiguous().ToArray<float>();
        }
        finally
        {
            train(wasTraining);
        }
    }

    /// <summary>Sets h0/c0 to NAM's export state: the state after 48,000 samples of silence from zero.</summary>
    public void SetInitialStateFromSilence()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (_, h, c) = _core.forward(zeros(1, ExportSilenceSamples, 1, device: InitialHidden.device));
        InitialHidden.copy_(h.squeeze(1));
        InitialCell.copy_(c.squeeze(1));
    }

    public override float[] Process(ReadOnlySpan<float> input, int chunkSize = DefaultChunkSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        var output = new float[input.Length];
        var wasTraining = training;
        eval();
        try
        {
            using var noGrad = no_grad();
            using var outer = NewDisposeScope();
            var state = (InitialHidden.unsqueeze(1), InitialCell.unsqueeze(1));
            var prewarm = SampleRate is { } rate ? Math.Max(1, (int)(0.5 * rate)) : 1;
            // The module's own precision (float32, or float64 after module.to(float64)) for input and state alike.
            var dtype = InitialHidden.dtype;
            (_, var h0, var c0) = _core.forward(
                zeros(1, prewarm, 1, dtype: dtype, device: InitialHidden.device),
                state
            );
            state = (h0, c0);
            for (var start = 0; start < input.Length; start += chunkSize)
            {
                var count = Math.Min(chunkSize, input.Length - start);
                using var x = TensorExtensions
                    .FromSpan(input.Slice(start, count), 1, count, 1)
                    .to(dtype)
                    .to(InitialHidden.device);
                var (features, h, c) = _core.forward(x, state);
                state = (h, c);
                using var y = _head.call(features).to(ScalarType.Float32);
                y.CopyTo<float>(output.AsSpan(start, count));
            }
        }
        finally
        {
            train(wasTraining);
        }

        return output;
    }
}
