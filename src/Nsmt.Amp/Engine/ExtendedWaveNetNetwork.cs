using Nsmt.Amp.Architectures;

namespace Nsmt.Amp.Engine;

/// <summary>
/// The streaming computation of an <see cref="ExtendedWaveNetConfig"/> over chunks of at most
/// <see cref="MaxChunk"/> samples, in NAM Core's order (wavenet/model.cpp, Layer::Process):
/// <code>
/// h' = conv_pre_film(h);  c' = input_mixin_pre_film(c)
/// z  = conv_post_film(conv(h')) + input_mixin_post_film(mixin(c'))
/// z  = activation_pre_film(z)
/// a  = act(z) | act(z[:B]) * g(z[B:]) | alpha * act(z[:B]) + (1 - alpha) * z[:B], alpha = g(z[B:])
/// a  = activation_post_film(a)
/// h  = h + layer1x1(a)  (layer1x1_post_film on it in blended layers only; h unchanged without layer1x1)
/// s += head1x1_post_film(head1x1(a))  (or a itself without head1x1)
/// </code>
/// then each array's head conv (kernel may be > 1) over s, head_scale, and the post-stack head.
/// Signals are channel-major rows; stateful conv inputs live in buffers whose last (K-1)*d columns
/// are the history (as in <see cref="WaveNetEngine"/>). Everything is allocated up front.
/// </summary>
internal sealed unsafe class ExtendedWaveNetNetwork
{
    public const int MaxChunk = WaveNetEngine.MaxChunk;

    private readonly ExtendedWaveNetConfig _config;
    private readonly TanhMode _mode;
    private readonly ExtendedWaveNetNetwork? _conditionDsp;
    private readonly ArrayOps[] _arrays;
    private readonly PostHeadOps? _postHead;
    private readonly float _headScale;
    private readonly List<HistoryBuffer> _histories = [];
    private readonly int _historyStart;
    private readonly int _bufferLength;
    private readonly int _conditionRows;
    private readonly PinnedBuffer<float> _condition;
    private readonly PinnedBuffer<float> _z;
    private readonly PinnedBuffer<float> _mix;
    private readonly PinnedBuffer<float> _film;
    private readonly PinnedBuffer<float> _conditionFilm;
    private readonly PinnedBuffer<float> _preActivation;
    private readonly PinnedBuffer<float> _layer1x1;
    private readonly PinnedBuffer<float> _head1x1;
    private readonly PinnedBuffer<float>[] _residual;
    private readonly PinnedBuffer<float> _headOutput;
    private int _position;

    /// <param name="widestLanes">Widest vector (floats) the fused 3-channel kernel may use (<see cref="ThreeChannelLayer"/>).</param>
    public ExtendedWaveNetNetwork(ExtendedWaveNetConfig config, float[] weights, TanhMode mode, int widestLanes)
    {
        _config = config;
        _mode = mode;
        if (config.ConditionDsp is { } dsp)
        {
            _conditionDsp = new ExtendedWaveNetNetwork(
                (ExtendedWaveNetConfig)dsp.Config,
                dsp.Weights,
                mode,
                widestLanes
            );
        }

        // Without a condition DSP the condition is the input itself: the audio row, then a knob WaveNet's knob rows.
        _conditionRows = _conditionDsp?.PaddedOutputRows ?? 1 + config.KnobInputs;
        var cursor = new WeightCursor(weights);
        var modules = config.Modules().ToArray();
        var next = 0;
        _arrays = new ArrayOps[config.LayerArrays.Count];
        var inputRows = 1;
        for (var j = 0; j < _arrays.Length; j++)
        {
            _arrays[j] = new ArrayOps(
                config.LayerArrays[j],
                modules,
                ref next,
                cursor,
                inputRows,
                _conditionRows,
                widestLanes
            );
            inputRows = _arrays[j].PaddedChannels;
        }

        var outputRows = _arrays[^1].PaddedHeadRows;
        if (config.PostHead is not null)
        {
            _postHead = new PostHeadOps(config.PostHead, modules, ref next, cursor, outputRows);
            outputRows = _postHead.PaddedOutputRows;
        }

        _headScale = cursor.TakeOne();
        cursor.ExpectEnd();
        PaddedOutputRows = outputRows;

        foreach (var array in _arrays)
        {
            _histories.AddRange(array.Layers.Select(l => l.ConvInput!));
            _histories.Add(array.Accumulator!);
        }

        if (_postHead is not null)
        {
            _histories.AddRange(_postHead.Inputs);
        }

        _historyStart = _histories.Max(h => h.History);
        _bufferLength = _historyStart + Math.Max(4 * MaxChunk, 2 * _historyStart) + ConvKernel.ColumnQuantum;
        foreach (var history in _histories)
        {
            history.Allocate(_bufferLength);
        }

        var layers = _arrays.SelectMany(a => a.Layers).ToArray();
        _condition = new PinnedBuffer<float>(_conditionRows * MaxChunk);
        _z = new PinnedBuffer<float>(layers.Max(l => l.ZRows) * MaxChunk);
        _mix = new PinnedBuffer<float>(layers.Max(l => l.ZRows) * MaxChunk);
        _film = new PinnedBuffer<float>(layers.Max(l => l.MaxFilmRows) * MaxChunk);
        _conditionFilm = new PinnedBuffer<float>(PackedConv.PadRows(_conditionRows) * MaxChunk);
        _preActivation = new PinnedBuffer<float>(layers.Max(l => l.PaddedBottleneck) * MaxChunk);
        _layer1x1 = new PinnedBuffer<float>(_arrays.Max(a => a.PaddedChannels) * MaxChunk);
        _head1x1 = new PinnedBuffer<float>(_arrays.Max(a => a.PaddedHeadInputRows) * MaxChunk);
        _residual =
        [
            new PinnedBuffer<float>(_arrays.Max(a => a.PaddedChannels) * MaxChunk),
            new PinnedBuffer<float>(_arrays.Max(a => a.PaddedChannels) * MaxChunk),
        ];
        _headOutput = new PinnedBuffer<float>(_arrays.Max(a => a.PaddedHeadRows) * MaxChunk);
        Clear();
    }

    /// <summary>Rows of the output (padded to the kernel's row tile; the real ones come first).</summary>
    public int PaddedOutputRows { get; }

    /// <summary>Zeroes every history (Core's state before its prewarm).</summary>
    public void Clear()
    {
        foreach (var history in _histories)
        {
            history.Buffer.Clear();
        }

        _position = _historyStart;
        _conditionDsp?.Clear();
    }

    /// <summary>Rows the input buffer given to <see cref="ProcessChunk"/> must have (row 0 the signal, the others zero), each <see cref="MaxChunk"/> long.</summary>
    public const int InputRows = ConvKernel.RowTile;

    /// <summary>
    /// Processes <paramref name="count"/> samples of <paramref name="input"/> (<see cref="InputRows"/> rows; row 0
    /// holds <paramref name="columns"/> values, zero past count) and writes the scaled output rows to
    /// <paramref name="output"/> (row stride <see cref="MaxChunk"/>).
    /// </summary>
    public void ProcessChunk(float* input, int count, int columns, float* output)
    {
        if (_position + columns > _bufferLength)
        {
            foreach (var history in _histories)
            {
                history.MoveToFront(_position, _historyStart);
            }

            _position = _historyStart;
        }

        var condition = input;
        if (_conditionDsp is not null)
        {
            condition = _condition.Pointer;
            _conditionDsp.ProcessChunk(input, count, columns, condition);
        }

        var arrayInput = input;
        for (var j = 0; j < _arrays.Length; j++)
        {
            var array = _arrays[j];
            var lastArray = j == _arrays.Length - 1;
            var accumulator = array.Accumulator!.At(_position);
            var accumulatorStride = _bufferLength;
            for (var r = 0; r < array.PaddedHeadInputRows; r++)
            {
                var row = new Span<float>(accumulator + (r * (nint)accumulatorStride), columns);
                if (j == 0)
                {
                    row.Clear();
                }
                else
                {
                    // The previous array's head output starts this array's head accumulator.
                    new Span<float>(_headOutput.Pointer + (r * (nint)MaxChunk), columns).CopyTo(row);
                }
            }

            // Layer 0's input: the rechannelled array input, written where its conv reads it.
            var first = array.Layers[0];
            var h = first.HasConvPreFilm ? _residual[0].Pointer : first.ConvInput!.At(_position);
            var hStride = first.HasConvPreFilm ? MaxChunk : _bufferLength;
            array.Rechannel.Run(arrayInput, MaxChunk, h, hStride, columns);

            for (var l = 0; l < array.Layers.Length; l++)
            {
                var layer = array.Layers[l];
                var lastLayer = l == array.Layers.Length - 1;
                float* nextH;
                int nextStride;
                if (lastLayer)
                {
                    nextH = array.Output.Pointer;
                    nextStride = MaxChunk;
                }
                else if (array.Layers[l + 1].HasConvPreFilm)
                {
                    nextH = _residual[(l + 1) % 2].Pointer;
                    nextStride = MaxChunk;
                }
                else
                {
                    nextH = array.Layers[l + 1].ConvInput!.At(_position);
                    nextStride = _bufferLength;
                }

                RunLayer(
                    array,
                    layer,
                    h,
                    hStride,
                    condition,
                    accumulator,
                    accumulatorStride,
                    nextH,
                    nextStride,
                    columns,
                    computeResidual: !(lastArray && lastLayer)
                );
                h = nextH;
                hStride = nextStride;
            }

            array.Head.Run(accumulator, accumulatorStride, _headOutput.Pointer, MaxChunk, columns);
            arrayInput = array.Output.Pointer;
        }

        var rows = _arrays[^1].PaddedHeadRows;
        if (_postHead is null)
        {
            for (var i = 0; i < rows * MaxChunk; i++)
            {
                output[i] = _headScale * _headOutput.Pointer[i];
            }
        }
        else
        {
            _postHead.Run(_headOutput.Pointer, _headScale, _position, _bufferLength, columns, output, _mode);
        }

        _position += count;
    }

    private void RunLayer(
        ArrayOps array,
        LayerOps layer,
        float* h,
        int hStride,
        float* condition,
        float* accumulator,
        int accumulatorStride,
        float* next,
        int nextStride,
        int columns,
        bool computeResidual
    )
    {
        if (layer.ThreeChannel is { } fused)
        {
            // h is the conv's stateful input here (no FiLM before the conv).
            fused.Run(
                h,
                hStride,
                condition,
                accumulator,
                accumulatorStride,
                computeResidual ? next : null,
                nextStride,
                columns
            );
            return;
        }

        const int stride = MaxChunk;
        var convInput = layer.ConvInput!.At(_position);
        if (layer.HasConvPreFilm)
        {
            Film(layer, FilmPosition.ConvPre, condition, h, hStride, convInput, _bufferLength, columns);
        }

        var z = _z.Pointer;
        if (layer.FusedMixin)
        {
            // z = (W * h + b) + w_mix * c in one pass (Core's order).
            layer.Conv.Run(
                convInput,
                _bufferLength,
                z,
                stride,
                columns,
                mixin: layer.Mixin.MixinWeights,
                condition: condition
            );
        }
        else
        {
            var mixinInput = condition;
            if (layer.Films[(int)FilmPosition.InputMixinPre] is not null)
            {
                Film(
                    layer,
                    FilmPosition.InputMixinPre,
                    condition,
                    condition,
                    stride,
                    _conditionFilm.Pointer,
                    stride,
                    columns
                );
                mixinInput = _conditionFilm.Pointer;
            }

            var mix = _mix.Pointer;
            layer.Mixin.Run(mixinInput, stride, mix, stride, columns);
            if (layer.Films[(int)FilmPosition.InputMixinPost] is not null)
            {
                Film(layer, FilmPosition.InputMixinPost, condition, mix, stride, mix, stride, columns);
            }

            if (layer.Films[(int)FilmPosition.ConvPost] is not null)
            {
                layer.Conv.Run(convInput, _bufferLength, z, stride, columns);
                Film(layer, FilmPosition.ConvPost, condition, z, stride, z, stride, columns);
                for (var i = 0; i < layer.ZRows * stride; i++)
                {
                    z[i] += mix[i];
                }
            }
            else
            {
                layer.Conv.Run(convInput, _bufferLength, z, stride, columns, residual: mix, residualStride: stride);
            }
        }

        if (layer.Films[(int)FilmPosition.ActivationPre] is not null)
        {
            Film(layer, FilmPosition.ActivationPre, condition, z, stride, z, stride, columns);
        }

        Activate(layer, z, columns);

        if (layer.Films[(int)FilmPosition.ActivationPost] is not null)
        {
            Film(layer, FilmPosition.ActivationPost, condition, z, stride, z, stride, columns);
        }

        // Head: head1x1(a) or a itself, added to the accumulator.
        var headInput = z;
        if (layer.Head1x1 is not null)
        {
            headInput = _head1x1.Pointer;
            layer.Head1x1.Run(z, stride, headInput, stride, columns);
            if (layer.Films[(int)FilmPosition.Head1x1Post] is not null)
            {
                Film(layer, FilmPosition.Head1x1Post, condition, headInput, stride, headInput, stride, columns);
            }
        }

        for (var r = 0; r < array.PaddedHeadInputRows; r++)
        {
            var target = accumulator + (r * (nint)accumulatorStride);
            var source = headInput + (r * (nint)stride);
            System.Numerics.Tensors.TensorPrimitives.Add(
                new ReadOnlySpan<float>(target, columns),
                new ReadOnlySpan<float>(source, columns),
                new Span<float>(target, columns)
            );
        }

        if (!computeResidual)
        {
            return;
        }

        if (layer.Layer1x1 is null)
        {
            for (var r = 0; r < array.PaddedChannels; r++)
            {
                new ReadOnlySpan<float>(h + (r * (nint)hStride), columns).CopyTo(
                    new Span<float>(next + (r * (nint)nextStride), columns)
                );
            }
        }
        else if (layer.Films[(int)FilmPosition.Layer1x1Post] is not null && layer.Gating == GatingMode.Blended)
        {
            var l1 = _layer1x1.Pointer;
            layer.Layer1x1.Run(z, stride, l1, stride, columns);
            Film(layer, FilmPosition.Layer1x1Post, condition, l1, stride, l1, stride, columns);
            for (var r = 0; r < array.PaddedChannels; r++)
            {
                for (var t = 0; t < columns; t++)
                {
                    next[(r * (nint)nextStride) + t] = h[(r * (nint)hStride) + t] + l1[(r * stride) + t];
                }
            }
        }
        else
        {
            layer.Layer1x1.Run(z, stride, next, nextStride, columns, residual: h, residualStride: hStride);
        }
    }

    private void Activate(LayerOps layer, float* z, int columns)
    {
        const int stride = MaxChunk;
        for (var r = 0; r < layer.Bottleneck; r++)
        {
            var primary = new Span<float>(z + (r * stride), columns);
            if (layer.Gating == GatingMode.None)
            {
                NamActivationKernel.Apply(layer.Activation, _mode, primary, r);
                continue;
            }

            var secondary = new Span<float>(z + ((layer.PaddedBottleneck + r) * stride), columns);
            if (layer.Gating == GatingMode.Gated)
            {
                NamActivationKernel.Apply(layer.Activation, _mode, primary, r);
                NamActivationKernel.Apply(layer.Secondary!, _mode, secondary, r);
                System.Numerics.Tensors.TensorPrimitives.Multiply(primary, secondary, primary);
            }
            else
            {
                var pre = new Span<float>(_preActivation.Pointer, columns);
                primary.CopyTo(pre);
                NamActivationKernel.Apply(layer.Activation, _mode, primary, r);
                NamActivationKernel.Apply(layer.Secondary!, _mode, secondary, r);
                for (var t = 0; t < columns; t++)
                {
                    var alpha = secondary[t];
                    primary[t] = (alpha * primary[t]) + ((1f - alpha) * pre[t]);
                }
            }
        }
    }

    /// <summary>dest = target * scale (+ shift), with scale and shift computed from the condition.</summary>
    private void Film(
        LayerOps layer,
        FilmPosition position,
        float* condition,
        float* target,
        int targetStride,
        float* dest,
        int destStride,
        int columns
    )
    {
        const int stride = MaxChunk;
        var film = layer.Films[(int)position]!;
        var scale = _film.Pointer;
        film.Conv.Run(condition, stride, scale, stride, columns);
        var shift = film.Shift ? scale + (film.TargetRows * (nint)stride) : null;
        for (var r = 0; r < film.TargetRows; r++)
        {
            var x = target + (r * (nint)targetStride);
            var y = dest + (r * (nint)destStride);
            var a = scale + (r * (nint)stride);
            if (shift is null)
            {
                for (var t = 0; t < columns; t++)
                {
                    y[t] = x[t] * a[t];
                }
            }
            else
            {
                var b = shift + (r * (nint)stride);
                for (var t = 0; t < columns; t++)
                {
                    y[t] = (x[t] * a[t]) + b[t];
                }
            }
        }
    }

    /// <summary>A stateful conv input: rows x bufferLength, of which the columns before the position are history.</summary>
    internal sealed class HistoryBuffer(int rows, int history)
    {
        public int Rows { get; } = rows;

        public int History { get; } = history;

        public PinnedBuffer<float> Buffer { get; private set; } = null!;

        private int _length;

        public void Allocate(int bufferLength)
        {
            _length = bufferLength;
            Buffer = new PinnedBuffer<float>(Rows * bufferLength);
        }

        public float* At(int position) => Buffer.Pointer + position;

        public void MoveToFront(int position, int newPosition)
        {
            for (var r = 0; r < Rows; r++)
            {
                var row = r * _length;
                Buffer
                    .Slice(row + position - History, History)
                    .CopyTo(Buffer.Slice(row + newPosition - History, History));
            }
        }
    }

    /// <summary>A packed FiLM block: its scale rows, then (with shift) its shift rows, each in the target's layout.</summary>
    internal sealed class FilmOps(ExtendedConvOp conv, bool shift, int targetRows)
    {
        public ExtendedConvOp Conv { get; } = conv;

        public bool Shift { get; } = shift;

        /// <summary>Padded rows of the modulated signal.</summary>
        public int TargetRows { get; } = targetRows;
    }

    internal sealed class LayerOps
    {
        public required ExtendedConvOp Conv { get; init; }

        public required ExtendedConvOp Mixin { get; init; }

        public ExtendedConvOp? Layer1x1 { get; init; }

        public ExtendedConvOp? Head1x1 { get; init; }

        /// <summary>By <see cref="FilmPosition"/>; null where inactive.</summary>
        public required FilmOps?[] Films { get; init; }

        public required NamActivation Activation { get; init; }

        public NamActivation? Secondary { get; init; }

        public required GatingMode Gating { get; init; }

        public required int Bottleneck { get; init; }

        public required int PaddedBottleneck { get; init; }

        /// <summary>Padded rows of z: 2*Bp when gated or blended (secondary half from row Bp), else Bp.</summary>
        public required int ZRows { get; init; }

        public required bool FusedMixin { get; init; }

        public HistoryBuffer? ConvInput { get; init; }

        /// <summary>The fused 3-channel kernel where the layer has its shape, else null.</summary>
        public ThreeChannelLayer? ThreeChannel { get; init; }

        public bool HasConvPreFilm => Films[(int)FilmPosition.ConvPre] is not null;

        public int MaxFilmRows =>
            Films.Where(f => f is not null).Select(f => f!.Conv.PaddedRows).DefaultIfEmpty(0).Max();
    }

    internal sealed class ArrayOps
    {
        public ArrayOps(
            ExtendedLayerArrayConfig config,
            WaveNetModule[] modules,
            ref int next,
            WeightCursor cursor,
            int inputRows,
            int conditionRows,
            int widestLanes
        )
        {
            int c = config.Channels,
                b = config.Bottleneck;
            PaddedChannels = PackedConv.PadRows(c);
            PaddedHeadInputRows = PackedConv.PadRows(config.HeadInputSize);
            PaddedHeadRows = PackedConv.PadRows(config.HeadSize);
            Rechannel = new ExtendedConvOp(modules[next++], cursor, PaddedChannels, inputRows);
            Layers = new LayerOps[config.LayerCount];
            var bp = PackedConv.PadRows(b);
            for (var l = 0; l < Layers.Length; l++)
            {
                var gating = config.GatingModes[l];
                var twoHalves = gating != GatingMode.None;
                var zRows = twoHalves ? 2 * bp : bp;
                Func<int, int> zMap = r => r < b ? r : bp + (r - b);
                var fused =
                    config.ConditionSize == 1
                    && config.GroupsInputMixin == 1
                    && !config.Film(FilmPosition.InputMixinPre).Active
                    && !config.Film(FilmPosition.InputMixinPost).Active
                    && !config.Film(FilmPosition.ConvPost).Active;
                var conv = new ExtendedConvOp(modules[next++], cursor, zRows, PaddedChannels, zMap);
                var mixin = new ExtendedConvOp(modules[next++], cursor, zRows, conditionRows, zMap, mixinOnly: fused);
                var layer1x1 = config.Layer1x1Active
                    ? new ExtendedConvOp(modules[next++], cursor, PaddedChannels, bp)
                    : null;
                var head1x1 = config.Head1x1Active
                    ? new ExtendedConvOp(modules[next++], cursor, PaddedHeadInputRows, bp)
                    : null;
                var films = new FilmOps?[Enum.GetValues<FilmPosition>().Length];
                foreach (var position in Enum.GetValues<FilmPosition>())
                {
                    if (!config.FilmHasWeights(position))
                    {
                        continue;
                    }

                    var film = config.Film(position);
                    var target = config.FilmTargetChannels(position, l);
                    var zLayout =
                        position is FilmPosition.ConvPost or FilmPosition.InputMixinPost or FilmPosition.ActivationPre;
                    var targetRows = zLayout ? zRows : PackedConv.PadRows(target);
                    var targetMap = zLayout ? zMap : r => r;
                    Func<int, int> rows = r => r < target ? targetMap(r) : targetRows + targetMap(r - target);
                    var op = new ExtendedConvOp(
                        modules[next++],
                        cursor,
                        (film.Shift ? 2 : 1) * targetRows,
                        conditionRows,
                        rows
                    );
                    films[(int)position] = new FilmOps(op, film.Shift, targetRows);
                }

                Layers[l] = new LayerOps
                {
                    Conv = conv,
                    Mixin = mixin,
                    Layer1x1 = layer1x1,
                    Head1x1 = head1x1,
                    Films = films,
                    Activation = config.Activations[l],
                    Secondary = config.SecondaryActivations[l],
                    Gating = gating,
                    Bottleneck = b,
                    PaddedBottleneck = bp,
                    ZRows = zRows,
                    FusedMixin = fused,
                    ConvInput = new HistoryBuffer(PaddedChannels, conv.History),
                    ThreeChannel = ThreeChannelLayer.For(
                        config,
                        gating,
                        config.Activations[l],
                        fused,
                        films.Any(f => f is not null),
                        conv,
                        mixin,
                        layer1x1,
                        head1x1 is not null,
                        widestLanes
                    ),
                };
            }

            Head = new ExtendedConvOp(modules[next++], cursor, PaddedHeadRows, PaddedHeadInputRows);
            Accumulator = new HistoryBuffer(PaddedHeadInputRows, Head.History);
            Output = new PinnedBuffer<float>(PaddedChannels * MaxChunk);
        }

        public int PaddedChannels { get; }

        public int PaddedHeadInputRows { get; }

        public int PaddedHeadRows { get; }

        public ExtendedConvOp Rechannel { get; }

        public LayerOps[] Layers { get; }

        public ExtendedConvOp Head { get; }

        /// <summary>The head accumulator s, a stateful input of the head conv.</summary>
        public HistoryBuffer? Accumulator { get; }

        /// <summary>The last layer's residual output: the next array's input.</summary>
        public PinnedBuffer<float> Output { get; }
    }

    /// <summary>The post-stack head: activation then conv, per kernel size; each conv's (activated) input is stateful.</summary>
    internal sealed class PostHeadOps
    {
        private readonly ExtendedConvOp[] _convs;
        private readonly PinnedBuffer<float>[] _outputs;
        private readonly NamActivation _activation;

        public PostHeadOps(
            PostStackHeadConfig config,
            WaveNetModule[] modules,
            ref int next,
            WeightCursor cursor,
            int inputRows
        )
        {
            _activation = config.Activation;
            _convs = new ExtendedConvOp[config.KernelSizes.Count];
            Inputs = new HistoryBuffer[_convs.Length];
            _outputs = new PinnedBuffer<float>[_convs.Length];
            var rows = inputRows;
            for (var i = 0; i < _convs.Length; i++)
            {
                var module = modules[next++];
                var outRows = PackedConv.PadRows(module.OutChannels);
                _convs[i] = new ExtendedConvOp(module, cursor, outRows, rows);
                Inputs[i] = new HistoryBuffer(rows, _convs[i].History);
                _outputs[i] = new PinnedBuffer<float>(outRows * MaxChunk);
                rows = outRows;
            }

            PaddedOutputRows = rows;
        }

        public HistoryBuffer[] Inputs { get; }

        public int PaddedOutputRows { get; }

        public void Run(
            float* headOutput,
            float headScale,
            int position,
            int bufferLength,
            int columns,
            float* output,
            TanhMode mode
        )
        {
            var source = headOutput;
            var scale = headScale;
            for (var i = 0; i < _convs.Length; i++)
            {
                var input = Inputs[i].At(position);
                var inputRows = Inputs[i].Rows;
                for (var r = 0; r < inputRows; r++)
                {
                    var row = new Span<float>(input + (r * (nint)bufferLength), columns);
                    for (var t = 0; t < columns; t++)
                    {
                        row[t] = scale * source[(r * MaxChunk) + t];
                    }

                    NamActivationKernel.Apply(_activation, mode, row, r);
                }

                var target = i == _convs.Length - 1 ? output : _outputs[i].Pointer;
                _convs[i].Run(input, bufferLength, target, MaxChunk, columns);
                source = target;
                scale = 1f;
            }
        }
    }
}
